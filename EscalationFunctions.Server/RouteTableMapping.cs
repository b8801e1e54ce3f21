using EscalationFunctions.Engine.Endpoints;
using EscalationFunctions.Hosting.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;

namespace EscalationFunctions.Server;

/// <summary>
/// Serves <see cref="RouteTable"/>: the raw request path is matched against the table (so dot
/// segments such as <c>%2E%2E</c> stay part of a key, as the table explains) and handed to the
/// shared <see cref="HttpEndpoints"/>. Any method reaches the route, so a wrong one gets the
/// pipeline's JSON 405; a path that names no route is a JSON 404, not audited, like the Functions host's.
/// </summary>
public static class RouteTableMapping
{
    public static void MapRouteTable(this WebApplication app) => app.Run(async context =>
    {
        var match = RouteTable.Match(HttpEndpoints.RawPath(context.Request));
        var result = match is null
            ? HttpEndpoints.HostRefusal(context.Response, 404, "not_found", $"No such route. The routes are {RouteTable.Describe()}.")
            : await context.RequestServices.GetRequiredService<HttpEndpoints>().RunAsync(match.Route, context.Request, null, context.RequestAborted);
        await ExecuteAsync(context, result);
    });

    /// <summary>Writes an action result to the response with MVC's executors (registered by AddMvcCore), as the Functions host does.</summary>
    public static Task ExecuteAsync(HttpContext context, IActionResult result) =>
        result.ExecuteResultAsync(new ActionContext { HttpContext = context, ActionDescriptor = new ActionDescriptor(), RouteData = new() });
}
