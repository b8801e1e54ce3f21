using EscalationFunctions.Engine.Ops;
using EscalationFunctions.Hosting.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace EscalationFunctions.Functions;

/// <summary>
/// The ops routes (host.json sets an empty route prefix). Every method is bound so that a wrong one
/// gets the handler's JSON 405, exactly as on the plain server; the checks are all in the handler.
/// </summary>
public sealed class OpsFunctions(OpsHttpEndpoints ops)
{
    [Function("OpsTick")]
    public Task<IActionResult> TickAsync([HttpTrigger(AuthorizationLevel.Function, "get", "post", "put", "patch", "delete", Route = OpsRoutes.Tick)]
        HttpRequest request, CancellationToken ct) => ops.TickAsync(request, ct);

    [Function("OpsRecalc")]
    public Task<IActionResult> RecalcAsync([HttpTrigger(AuthorizationLevel.Function, "get", "post", "put", "patch", "delete", Route = OpsRoutes.Recalc)]
        HttpRequest request, CancellationToken ct) => ops.RecalcAsync(request, ct);

    [Function("OpsHealth")]
    public Task<IActionResult> HealthAsync([HttpTrigger(AuthorizationLevel.Function, "get", "post", "put", "patch", "delete", Route = OpsRoutes.Health)]
        HttpRequest request, CancellationToken ct) => ops.HealthAsync(request, ct);

    [Function("OpsAck")]
    public Task<IActionResult> AckAsync([HttpTrigger(AuthorizationLevel.Function, "get", "post", "put", "patch", "delete", Route = OpsRoutes.Ack)]
        HttpRequest request, string incident_key, CancellationToken ct) => ops.AckAsync(request, incident_key, ct);
}
