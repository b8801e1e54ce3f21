using EscalationFunctions.Engine.Endpoints;
using EscalationFunctions.Engine.Endpoints.Pipeline;
using EscalationFunctions.Engine.Slack.Delivery;
using EscalationFunctions.Engine.Slack.Messages;
using EscalationFunctions.Engine.Untrusted;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;

namespace EscalationFunctions.Hosting.Http;

/// <summary>
/// The worker's routes over ASP.NET Core: <see cref="HttpRequest"/> in, <see cref="IActionResult"/>
/// out. The plain server and the Azure Functions app (ASP.NET Core integration) both call
/// <see cref="RunAsync"/> with a route of <see cref="RouteTable"/>, so both answer byte for byte
/// alike; every decision is the engine's <see cref="EndpointPipeline"/>.
/// </summary>
public sealed class HttpEndpoints(EndpointPipeline pipeline)
{
    private const int MaxRemoteLength = 100;

    /// <param name="hostRouteKey">
    /// The Functions host's <c>{incident_key}</c>, which the host has already percent-decoded; null on
    /// the plain server, which reads the key from the raw request target.
    /// </param>
    public async Task<IActionResult> RunAsync(EndpointRoute route, HttpRequest request, string? hostRouteKey, CancellationToken ct)
    {
        var keySegment = route.HasKeySegment ? KeySegment(route, request, hostRouteKey) : null;
        var call = route.MaxBodyBytes == 0
            ? new EndpointRequest(request.Method, Header(request), [], BodyRead.Complete, RemoteAddress(request), keySegment)
            : await ReadAsync(request, route.MaxBodyBytes, keySegment, ct);
        var outcome = await pipeline.RunAsync(route, call, ct);
        if (outcome.AfterAnswer is { } afterAnswer)
        {
            // Slack's answer is not held up by the work that follows it; that work logs its own failures.
            request.HttpContext.Response.OnCompleted(() =>
            {
                _ = Task.Run(afterAnswer);
                return Task.CompletedTask;
            });
        }
        return ToActionResult(request.HttpContext.Response, outcome.Answer);
    }

    /// <summary>A JSON error in the shape every answer uses, for the host's own refusals (no route, no key), which are not audited.</summary>
    public static IActionResult HostRefusal(HttpResponse response, int status, string code, string message) =>
        ToActionResult(response, EndpointAnswer.Error(status, code, message));

    /// <summary>
    /// The path as the client sent it, still percent-encoded and with its dot segments: what
    /// <see cref="RouteTable.Match"/> reads. A request in absolute or asterisk form falls back to the server's path.
    /// </summary>
    public static string RawPath(HttpRequest request)
    {
        var raw = request.HttpContext.Features.Get<IHttpRequestFeature>()?.RawTarget;
        return raw is { Length: > 0 } && raw[0] == '/' ? raw.Split('?', 2)[0] : (request.PathBase + request.Path).ToUriComponent();
    }

    /// <summary>
    /// The key segment as the client sent it; null when it cannot be known. Behind the Functions host
    /// the app sees the host's decoded value re-encoded by its proxy, and there a key holding <c>%</c>
    /// is ambiguous: <c>%FF</c> (not UTF-8, refused by reference §6.2) and <c>%25FF</c> (the key "%FF") arrive
    /// alike, and <c>%2F</c> arrives as the text "%2F". Such a key is refused there; the body form carries any key.
    /// </summary>
    private static string? KeySegment(EndpointRoute route, HttpRequest request, string? hostRouteKey)
    {
        if (hostRouteKey is not null)
        {
            return hostRouteKey.Contains('%') ? null : IncidentLink.Segment(hostRouteKey);
        }
        var match = RouteTable.Match(RawPath(request));
        return match?.Route == route ? match.KeySegment : null;
    }

    private static async Task<EndpointRequest> ReadAsync(HttpRequest request, int maxBodyBytes, string? keySegment, CancellationToken ct)
    {
        byte[] body = [];
        BodyRead bodyRead;
        try
        {
            (body, bodyRead) = await ReadBodyAsync(request, maxBodyBytes, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Reading the body is the client's framing, whichever way the server reports a broken one
            // (BadHttpRequestException, IOException; a chunk size of 2^64 is an OverflowException).
            bodyRead = BodyRead.Malformed;
        }
        return new EndpointRequest(request.Method, Header(request), body, bodyRead, RemoteAddress(request), keySegment);
    }

    private static Func<string, string?> Header(HttpRequest request) =>
        name => request.Headers.TryGetValue(name, out var values) ? values.ToString() : null;

    private static ContentResult ToActionResult(HttpResponse response, EndpointAnswer answer)
    {
        foreach (var (name, value) in answer.Headers)
        {
            response.Headers[name] = value;
        }
        return new ContentResult { StatusCode = answer.Status, Content = answer.Json, ContentType = "application/json; charset=utf-8" };
    }

    /// <summary>The raw bytes as received, at most the limit; a declared or actual larger body is not read further.</summary>
    private static async Task<(byte[] Body, BodyRead Read)> ReadBodyAsync(HttpRequest request, int maxBodyBytes, CancellationToken ct)
    {
        if (request.ContentLength > maxBodyBytes)
        {
            return ([], BodyRead.TooLarge);
        }
        var buffer = new byte[(request.ContentLength is { } declared ? (int)declared : maxBodyBytes) + 1];
        var total = 0;
        int read;
        while (total < buffer.Length && (read = await request.Body.ReadAsync(buffer.AsMemory(total), ct)) > 0)
        {
            total += read;
        }
        return total > maxBodyBytes ? ([], BodyRead.TooLarge) : (buffer[..total], BodyRead.Complete);
    }

    private static string? RemoteAddress(HttpRequest request)
    {
        var peer = request.HttpContext.Connection.RemoteIpAddress?.ToString();
        var forwarded = request.Headers["X-Forwarded-For"].ToString();
        var remote = string.IsNullOrWhiteSpace(forwarded) ? peer : $"{forwarded.Split(',')[0].Trim()} via {peer}";
        return remote is null ? null : UntrustedText.Escape(remote, MaxRemoteLength);
    }
}
