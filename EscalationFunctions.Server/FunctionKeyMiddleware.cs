using EscalationFunctions.Engine.Endpoints;
using EscalationFunctions.Engine.Untrusted;
using EscalationFunctions.Hosting;
using EscalationFunctions.Hosting.Http;

namespace EscalationFunctions.Server;

/// <summary>
/// Requires a function key under every prefix of <see cref="RouteTable"/> when <c>OPS_FUNCTION_KEY</c>
/// is set, as Azure Functions does for <c>AuthorizationLevel.Function</c>: header
/// <c>x-functions-key</c> or query <c>?code=</c>. Like Azure, a call without a valid key is refused
/// before the app handles (or audits) it. Both the raw path and the server's cleaned-up one are
/// checked, so no spelling of a path (<c>%6Fps</c>, <c>/x/../ops</c>) slips past.
/// </summary>
public sealed class FunctionKeyMiddleware(RequestDelegate next, HostSettings settings, ILogger<FunctionKeyMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var keys = settings.FunctionKeys;
        var guarded = RouteTable.IsUnderPrefix(HttpEndpoints.RawPath(context.Request)) || RouteTable.IsUnderPrefix(context.Request.Path.Value ?? "");
        if (keys.Count == 0 || !guarded ||
            FunctionKeyCheck.IsAllowed(keys, context.Request.Headers[FunctionKeyCheck.Header], context.Request.Query[FunctionKeyCheck.QueryParameter]))
        {
            await next(context);
            return;
        }

        // The path is the caller's text (a decoded %0D is a CR), so it is escaped; the query, which may hold a key, is never logged.
        ServerLog.FunctionKeyRefused(logger, context.Request.Method, UntrustedText.Escape(context.Request.Path.Value),
            context.Connection.RemoteIpAddress);
        var result = HttpEndpoints.HostRefusal(context.Response, 401, "invalid_function_key",
            $"Send a valid function key in the {FunctionKeyCheck.Header} header or the ?{FunctionKeyCheck.QueryParameter}= query parameter.");
        await RouteTableMapping.ExecuteAsync(context, result);
    }
}
