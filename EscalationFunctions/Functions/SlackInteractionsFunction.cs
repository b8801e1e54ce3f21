using EscalationFunctions.Engine.Endpoints;
using EscalationFunctions.Hosting.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace EscalationFunctions.Functions;

/// <summary>Slack's Interactivity Request URL, with the function key in its <c>?code=</c>; all checks are in the pipeline.</summary>
public sealed class SlackInteractionsFunction(HttpEndpoints http)
{
    [Function("SlackInteractions")]
    public Task<IActionResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", "post", "put", "patch", "delete", Route = RouteTable.SlackInteractionsTemplate)] HttpRequest request,
        CancellationToken ct) => http.RunAsync(RouteTable.SlackInteractions, request, null, ct);
}
