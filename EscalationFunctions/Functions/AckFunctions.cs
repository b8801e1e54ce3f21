using EscalationFunctions.Engine.Endpoints;
using EscalationFunctions.Hosting.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace EscalationFunctions.Functions;

/// <summary>Both forms of the acknowledge route of <see cref="RouteTable"/>: the key in the path, or in the signed body.</summary>
public sealed class AckFunctions(HttpEndpoints http)
{
    [Function("OpsAck")]
    public Task<IActionResult> AckByPathAsync([HttpTrigger(AuthorizationLevel.Function, "get", "post", "put", "patch", "delete", Route = RouteTable.AckByPathTemplate)]
        HttpRequest request, string incident_key, CancellationToken ct) => http.RunAsync(RouteTable.AckByPath, request, incident_key, ct);

    [Function("OpsAckByBody")]
    public Task<IActionResult> AckByBodyAsync([HttpTrigger(AuthorizationLevel.Function, "get", "post", "put", "patch", "delete", Route = RouteTable.AckByBodyTemplate)]
        HttpRequest request, CancellationToken ct) => http.RunAsync(RouteTable.AckByBody, request, null, ct);
}
