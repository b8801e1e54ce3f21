using EscalationFunctions.Engine.Interactions;
using EscalationFunctions.Engine.Ops;
using EscalationFunctions.Engine.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;

namespace EscalationFunctions.Hosting.Http;

/// <summary>
/// The ops endpoints over ASP.NET Core: <see cref="HttpRequest"/> in, <see cref="IActionResult"/> out.
/// The plain server and the Azure Functions app (ASP.NET Core integration) call these same methods,
/// so both hosts answer byte for byte alike. All decisions are in <see cref="OpsRequestHandler"/>.
/// </summary>
public sealed class OpsHttpEndpoints(
    OpsRequestHandler handler,
    SlackInteractionHandler interactions,
    SlackReplySender replies,
    ILogger<OpsHttpEndpoints> logger)
{
    private const int MaxRemoteLength = 100;

    public Task<IActionResult> TickAsync(HttpRequest request, CancellationToken ct) => HandleAsync(OpsEndpoint.Tick, request, ct);

    public Task<IActionResult> RecalcAsync(HttpRequest request, CancellationToken ct) => HandleAsync(OpsEndpoint.Recalc, request, ct);

    public Task<IActionResult> HealthAsync(HttpRequest request, CancellationToken ct) => HandleAsync(OpsEndpoint.Health, request, ct);

    /// <summary>
    /// <c>POST /ops/incidents/{incident_key}/ack</c>. The key is read from the raw request target, so
    /// a key holding <c>/</c> (sent as <c>%2F</c>, which routing leaves encoded) arrives whole.
    /// </summary>
    public Task<IActionResult> AckAsync(HttpRequest request, string? routeKey, CancellationToken ct) =>
        HandleAsync(OpsEndpoint.Ack, request, ct, AckKey(request) ?? routeKey);

    /// <summary>
    /// <c>POST /slack/interactions</c>. Slack gets its answer first; the <c>response_url</c> answer is
    /// posted once the response has been sent (and, should this instance stop first, by any
    /// instance's next delivery pass: it is queued in the database).
    /// </summary>
    public async Task<IActionResult> SlackInteractionsAsync(HttpRequest request, CancellationToken ct)
    {
        var result = await interactions.HandleAsync(await ReadAsync(request, OpsRequest.MaxSlackBodyBytes, null, ct), ct);
        if (result.ReplyId is { } id)
        {
            request.HttpContext.Response.OnCompleted(() =>
            {
                _ = Task.Run(async () =>
                {
                    try
                    {
                        await replies.DeliverAsync(id, CancellationToken.None);
                    }
                    catch (Exception e)
                    {
                        logger.LogWarning(e, "Slack answer {ReplyId} was not posted now; the next delivery pass posts it", id);
                    }
                });
                return Task.CompletedTask;
            });
        }
        return ToActionResult(request.HttpContext.Response, result.Response);
    }

    /// <summary>A JSON error in the shape every ops answer uses, for the host's own refusals (no route, no key).</summary>
    public static IActionResult Error(HttpResponse response, int status, string code, string message) =>
        ToActionResult(response, OpsResponse.Error(status, code, message));

    private async Task<IActionResult> HandleAsync(OpsEndpoint endpoint, HttpRequest request, CancellationToken ct, string? incidentKey = null)
    {
        var opsRequest = endpoint == OpsEndpoint.Health
            ? new OpsRequest(request.Method, Header(request), [], OpsBodyRead.Complete, RemoteAddress(request))
            : await ReadAsync(request, OpsRequest.MaxBodyBytes, incidentKey, ct);
        return ToActionResult(request.HttpContext.Response, await handler.HandleAsync(endpoint, opsRequest, ct));
    }

    private static async Task<OpsRequest> ReadAsync(HttpRequest request, int maxBodyBytes, string? incidentKey, CancellationToken ct)
    {
        byte[] body = [];
        OpsBodyRead bodyRead;
        try
        {
            (body, bodyRead) = await ReadBodyAsync(request, maxBodyBytes, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Reading the body is the client's framing, whichever way the server reports a broken one
            // (BadHttpRequestException, IOException; a chunk size of 2^64 is an OverflowException).
            bodyRead = OpsBodyRead.Malformed;
        }
        return new OpsRequest(request.Method, Header(request), body, bodyRead, RemoteAddress(request), incidentKey);
    }

    private static Func<string, string?> Header(HttpRequest request) =>
        name => request.Headers.TryGetValue(name, out var values) ? values.ToString() : null;

    /// <summary>The key segment of <c>/ops/incidents/{key}/ack</c> from the raw target, percent-decoded; null when it is not there.</summary>
    private static string? AckKey(HttpRequest request)
    {
        var raw = request.HttpContext.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(raw))
        {
            return null;
        }
        var path = raw.Split('?', 2)[0];
        const string prefix = "/ops/incidents/";
        const string suffix = "/ack";
        if (!path.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) || !path.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) ||
            path.Length <= prefix.Length + suffix.Length)
        {
            return null;
        }
        var segment = path[prefix.Length..^suffix.Length];
        return segment.Contains('/') ? null : Uri.UnescapeDataString(segment);
    }

    private static IActionResult ToActionResult(HttpResponse response, OpsResponse ops)
    {
        foreach (var (name, value) in ops.Headers)
        {
            response.Headers[name] = value;
        }
        return new ContentResult { StatusCode = ops.Status, Content = ops.Json, ContentType = "application/json; charset=utf-8" };
    }

    /// <summary>The raw bytes as received, at most the limit; a declared or actual larger body is not read further.</summary>
    private static async Task<(byte[] Body, OpsBodyRead Read)> ReadBodyAsync(HttpRequest request, int maxBodyBytes, CancellationToken ct)
    {
        if (request.ContentLength > maxBodyBytes)
        {
            return ([], OpsBodyRead.TooLarge);
        }
        var buffer = new byte[(request.ContentLength is { } declared ? (int)declared : maxBodyBytes) + 1];
        var total = 0;
        int read;
        while (total < buffer.Length && (read = await request.Body.ReadAsync(buffer.AsMemory(total), ct)) > 0)
        {
            total += read;
        }
        return total > maxBodyBytes ? ([], OpsBodyRead.TooLarge) : (buffer[..total], OpsBodyRead.Complete);
    }

    private static string? RemoteAddress(HttpRequest request)
    {
        var peer = request.HttpContext.Connection.RemoteIpAddress?.ToString();
        var forwarded = request.Headers["X-Forwarded-For"].ToString();
        var remote = string.IsNullOrWhiteSpace(forwarded) ? peer : $"{forwarded.Split(',')[0].Trim()} via {peer}";
        return remote is null ? null : UntrustedText.Escape(remote, MaxRemoteLength);
    }
}
