using EscalationFunctions.Engine.Endpoints;
using EscalationFunctions.Hosting.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace EscalationFunctions.Functions;

/// <summary>
/// The ops routes of <see cref="RouteTable"/> (host.json sets an empty route prefix). Every method is
/// bound so that a wrong one gets the pipeline's JSON 405, exactly as on the plain server.
/// </summary>
public sealed class OpsFunctions(HttpEndpoints http)
{
    [Function("OpsTick")]
    public Task<IActionResult> TickAsync([HttpTrigger(AuthorizationLevel.Function, "get", "post", "put", "patch", "delete", Route = RouteTable.TickTemplate)]
        HttpRequest request, CancellationToken ct) => http.RunAsync(RouteTable.Tick, request, null, ct);

    [Function("OpsRecalc")]
    public Task<IActionResult> RecalcAsync([HttpTrigger(AuthorizationLevel.Function, "get", "post", "put", "patch", "delete", Route = RouteTable.RecalcTemplate)]
        HttpRequest request, CancellationToken ct) => http.RunAsync(RouteTable.Recalc, request, null, ct);

    [Function("OpsHealth")]
    public Task<IActionResult> HealthAsync([HttpTrigger(AuthorizationLevel.Function, "get", "post", "put", "patch", "delete", Route = RouteTable.HealthTemplate)]
        HttpRequest request, CancellationToken ct) => http.RunAsync(RouteTable.Health, request, null, ct);
}
