using EscalationFunctions.Engine.Ops;
using EscalationFunctions.Hosting.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;

namespace EscalationFunctions.Server;

/// <summary>
/// Maps the spec's routes (no <c>/api</c> prefix) to the shared <see cref="OpsHttpEndpoints"/> and
/// executes their <see cref="IActionResult"/> the way the Functions host does. Every method is mapped
/// so that a wrong one gets the handler's JSON 405 rather than an empty one from routing.
/// </summary>
public static class OpsRoutesMapping
{
    public static void MapOpsRoutes(this WebApplication app)
    {
        app.Map("/" + OpsRoutes.Tick, (HttpContext c, OpsHttpEndpoints ops) => ExecuteAsync(c, ops.TickAsync(c.Request, c.RequestAborted)));
        app.Map("/" + OpsRoutes.Recalc, (HttpContext c, OpsHttpEndpoints ops) => ExecuteAsync(c, ops.RecalcAsync(c.Request, c.RequestAborted)));
        app.Map("/" + OpsRoutes.Health, (HttpContext c, OpsHttpEndpoints ops) => ExecuteAsync(c, ops.HealthAsync(c.Request, c.RequestAborted)));
        app.Map("/" + OpsRoutes.Ack, (HttpContext c, string incident_key, OpsHttpEndpoints ops) =>
            ExecuteAsync(c, ops.AckAsync(c.Request, incident_key, c.RequestAborted)));
        app.Map("/" + OpsRoutes.SlackInteractions, (HttpContext c, OpsHttpEndpoints ops) =>
            ExecuteAsync(c, ops.SlackInteractionsAsync(c.Request, c.RequestAborted)));
        // "{*path}", not MapFallback()'s default "{*path:nonfile}", which lets paths that look like file names fall through.
        app.MapFallback("{*path}", c => ExecuteAsync(c, Task.FromResult(OpsHttpEndpoints.Error(c.Response, 404, "not_found",
            $"No such route. The routes are /{OpsRoutes.Tick}, /{OpsRoutes.Recalc}, /{OpsRoutes.Health}, /{OpsRoutes.Ack} and /{OpsRoutes.SlackInteractions}."))));
    }

    private static async Task ExecuteAsync(HttpContext context, Task<IActionResult> handling) => await ExecuteAsync(context, await handling);

    /// <summary>Writes an action result to the response with MVC's executors (registered by AddMvcCore).</summary>
    public static Task ExecuteAsync(HttpContext context, IActionResult result) =>
        result.ExecuteResultAsync(new ActionContext { HttpContext = context, ActionDescriptor = new ActionDescriptor(), RouteData = new() });
}
