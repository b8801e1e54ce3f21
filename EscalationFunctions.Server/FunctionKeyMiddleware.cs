using EscalationFunctions.Engine.Configuration;
using EscalationFunctions.Engine.Security;
using EscalationFunctions.Hosting.Http;

namespace EscalationFunctions.Server;

/// <summary>
/// Requires a function key on every ops route (and the incident links, and Slack's interaction route) when <c>OPS_FUNCTION_KEY</c> is set, as Azure Functions
/// does for <c>AuthorizationLevel.Function</c>: header <c>x-functions-key</c> or query <c>?code=</c>.
/// Like Azure, a call without a valid key is refused before the app handles (or audits) it.
/// </summary>
public sealed class FunctionKeyMiddleware(RequestDelegate next, EscalationSettings settings, ILogger<FunctionKeyMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var keys = settings.Ops.FunctionKeys;
        if (keys.Count == 0 || !(context.Request.Path.StartsWithSegments("/ops") || context.Request.Path.StartsWithSegments(IncidentRoutesMapping.Prefix) ||
                                 context.Request.Path.StartsWithSegments("/slack")) ||
            FunctionKeyCheck.IsAllowed(keys, context.Request.Headers[FunctionKeyCheck.Header], context.Request.Query[FunctionKeyCheck.QueryParameter]))
        {
            await next(context);
            return;
        }

        // The path is the caller's text (a decoded %0D is a CR), so it is escaped; the query, which may hold a key, is never logged.
        logger.LogWarning("Refused {Method} {Path} from {Remote}: no valid function key", context.Request.Method,
            UntrustedText.Escape(context.Request.Path.Value), context.Connection.RemoteIpAddress);
        var result = OpsHttpEndpoints.Error(context.Response, 401, "invalid_function_key",
            $"Send a valid function key in the {FunctionKeyCheck.Header} header or the ?{FunctionKeyCheck.QueryParameter}= query parameter.");
        await OpsRoutesMapping.ExecuteAsync(context, result);
    }
}
