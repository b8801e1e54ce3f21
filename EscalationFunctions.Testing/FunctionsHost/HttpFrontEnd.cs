using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Template;
using Yarp.ReverseProxy.Forwarder;

namespace EscalationFunctions.Testing.FunctionsHost;

/// <summary>
/// The host's HTTP front end in ASP.NET Core integration mode: the route table comes from the
/// function metadata and <c>host.json</c>'s <c>routePrefix</c>; an unknown route or a method the
/// function does not list is 404; <c>authLevel: function</c> needs a key (<c>x-functions-key</c> or
/// <c>?code=</c>) or gets an empty 401, as on Azure. The request is then forwarded with YARP to the
/// worker's own HTTP server (its <c>HttpUri</c> capability) with <c>x-ms-invocation-id</c>, and the
/// InvocationRequest for that id goes over the gRPC stream alongside it.
/// </summary>
internal sealed class HttpFrontEnd(
    IReadOnlyList<FunctionInfo> functions,
    string routePrefix,
    Uri workerHttpUri,
    IReadOnlyCollection<string> functionKeys,
    Func<FunctionInfo, string, JsonObject, Task<InvocationResult>> invoke) : IDisposable
{
    public const string InvocationIdHeader = "x-ms-invocation-id";

    // As the host's proxy: no redirects or cookies, and a few quick retries when the worker's
    // server refuses the connection (it may start listening just after the worker reported in).
    private readonly HttpMessageInvoker _client = new(new RetryOnConnectFailure(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
    }));

    private readonly List<(FunctionInfo Function, TemplateMatcher Matcher)> _routes = functions
        .Where(f => f.IsHttp)
        .Select(f => (f, new TemplateMatcher(TemplateParser.Parse(Combine(routePrefix, f.Route ?? f.Name)), new RouteValueDictionary())))
        .ToList();

    /// <summary>Why a forwarded call failed, for failure messages (the client only sees a status).</summary>
    public ConcurrentQueue<string> Errors { get; } = new();

    public async Task HandleAsync(HttpContext context, IHttpForwarder forwarder)
    {
        var values = new RouteValueDictionary();
        var function = _routes.FirstOrDefault(r => r.Matcher.TryMatch(context.Request.Path, values)).Function;
        if (function is null || !function.Methods.Contains(context.Request.Method.ToUpperInvariant()))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        var anonymous = string.Equals(function.AuthLevel, "anonymous", StringComparison.OrdinalIgnoreCase);
        if (!anonymous && !HasKey(context.Request))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        var invocationId = Guid.NewGuid().ToString();
        context.Request.Headers[InvocationIdHeader] = invocationId;
        var forwarding = forwarder.SendAsync(context, workerHttpUri.GetLeftPart(UriPartial.Authority), _client, ForwarderRequestConfig.Empty).AsTask();
        var metadata = new JsonObject();
        foreach (var (name, value) in values)
        {
            metadata[name] = new JsonObject { ["string"] = value?.ToString() ?? "" };
        }
        var invocation = invoke(function, invocationId, metadata);

        var error = await forwarding;
        var result = await invocation;
        if (error != ForwarderError.None)
        {
            Errors.Enqueue($"{function.Name} {invocationId}: forwarding failed ({error}): {context.Features.Get<IForwarderErrorFeature>()?.Exception?.Message}");
        }
        if (!result.Succeeded)
        {
            Errors.Enqueue($"{function.Name} {invocationId}: the invocation failed: {result.Exception}");
        }
        if (!context.Response.HasStarted && (error != ForwarderError.None || !result.Succeeded))
        {
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
        }
    }

    private bool HasKey(HttpRequest request)
    {
        var key = request.Headers.TryGetValue("x-functions-key", out var header) ? header.ToString() : request.Query["code"].ToString();
        return key.Length > 0 && functionKeys.Contains(key);
    }

    private static string Combine(string prefix, string route) =>
        string.Join('/', new[] { prefix.Trim('/'), route.Trim('/') }.Where(p => p.Length > 0));

    public void Dispose() => _client.Dispose();

    private sealed class RetryOnConnectFailure(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        private const int Attempts = 5;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    return await base.SendAsync(request, cancellationToken);
                }
                catch (HttpRequestException e) when (e.HttpRequestError == HttpRequestError.ConnectionError && attempt < Attempts)
                {
                    await Task.Delay(50 * attempt * attempt, cancellationToken);
                }
            }
        }
    }
}
