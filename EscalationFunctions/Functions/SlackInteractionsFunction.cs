using EscalationFunctions.Engine.Ops;
using EscalationFunctions.Hosting.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace EscalationFunctions.Functions;

/// <summary>
/// Slack's Interactivity Request URL (spec §9), with the function key in its <c>?code=</c>. Every
/// method is bound so that a wrong one gets the handler's JSON 405; all checks are in the handler.
/// </summary>
public sealed class SlackInteractionsFunction(OpsHttpEndpoints ops)
{
    [Function("SlackInteractions")]
    public Task<IActionResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", "post", "put", "patch", "delete", Route = OpsRoutes.SlackInteractions)] HttpRequest request,
        CancellationToken ct) => ops.SlackInteractionsAsync(request, ct);
}
