using EscalationFunctions.Engine.Escalation;
using EscalationFunctions.Engine.Ops;
using EscalationFunctions.Hosting.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;

namespace EscalationFunctions.Server;

/// <summary>
/// <c>GET /incidents/{key}</c>: in a local run <c>APP_BASE_URL</c> is the worker itself, so the link
/// in every Slack message leads here; it answers with the incident and its escalations as JSON
/// instead of a 404. Read-only, and behind the function key like the ops routes. In Azure
/// <c>APP_BASE_URL</c> is the team's incident tool and the Functions app serves no such route.
/// </summary>
public static class IncidentRoutesMapping
{
    public const string Prefix = "/incidents";

    public static void MapIncidentRoutes(this WebApplication app) =>
        app.MapGet(Prefix + "/{**key}", async (HttpContext context, StatusReportReader reader) =>
        {
            // The raw target, not the decoded route value: the link escapes the key as one segment
            // (a '/' in a key is %2F), and only the raw form reverses that exactly.
            var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? "";
            var segment = raw.Split('?', 2)[0];
            var key = segment.StartsWith(Prefix + "/", StringComparison.Ordinal) ? Uri.UnescapeDataString(segment[(Prefix.Length + 1)..]) : "";
            var incident = key.Length == 0 ? null : await reader.ReadIncidentAsync(key, context.RequestAborted);
            IActionResult result = incident is null
                ? OpsHttpEndpoints.Error(context.Response, 404, "incident_not_found", "No incident has that key.")
                : new ContentResult { StatusCode = 200, Content = OpsResponse.Ok(incident).Json, ContentType = "application/json; charset=utf-8" };
            await OpsRoutesMapping.ExecuteAsync(context, result);
        });
}
