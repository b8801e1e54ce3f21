using EscalationFunctions.Engine.Ops;
using EscalationFunctions.Engine.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace EscalationFunctions.Hosting.Http;

/// <summary>
/// The ops endpoints over ASP.NET Core: <see cref="HttpRequest"/> in, <see cref="IActionResult"/> out.
/// The plain server and the Azure Functions app (ASP.NET Core integration) call these same methods,
/// so both hosts answer byte for byte alike. All decisions are in <see cref="OpsRequestHandler"/>.
/// </summary>
public sealed class OpsHttpEndpoints(OpsRequestHandler handler)
{
    private const int MaxRemoteLength = 100;

    public Task<IActionResult> TickAsync(HttpRequest request, CancellationToken ct) => HandleAsync(OpsEndpoint.Tick, request, ct);

    public Task<IActionResult> RecalcAsync(HttpRequest request, CancellationToken ct) => HandleAsync(OpsEndpoint.Recalc, request, ct);

    public Task<IActionResult> HealthAsync(HttpRequest request, CancellationToken ct) => HandleAsync(OpsEndpoint.Health, request, ct);

    /// <summary>A JSON error in the shape every ops answer uses, for the host's own refusals (no route, no key).</summary>
    public static IActionResult Error(HttpResponse response, int status, string code, string message) =>
        ToActionResult(response, OpsResponse.Error(status, code, message));

    private async Task<IActionResult> HandleAsync(OpsEndpoint endpoint, HttpRequest request, CancellationToken ct)
    {
        byte[] body = [];
        var bodyRead = OpsBodyRead.Complete;
        if (endpoint != OpsEndpoint.Health)
        {
            try
            {
                (body, bodyRead) = await ReadBodyAsync(request, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Reading the body is the client's framing, whichever way the server reports a broken one
                // (BadHttpRequestException, IOException; a chunk size of 2^64 is an OverflowException).
                bodyRead = OpsBodyRead.Malformed;
            }
        }

        var opsRequest = new OpsRequest(
            request.Method,
            name => request.Headers.TryGetValue(name, out var values) ? values.ToString() : null,
            body,
            bodyRead,
            RemoteAddress(request));
        return ToActionResult(request.HttpContext.Response, await handler.HandleAsync(endpoint, opsRequest, ct));
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
    private static async Task<(byte[] Body, OpsBodyRead Read)> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > OpsRequest.MaxBodyBytes)
        {
            return ([], OpsBodyRead.TooLarge);
        }
        var buffer = new byte[OpsRequest.MaxBodyBytes + 1];
        var total = 0;
        int read;
        while (total < buffer.Length && (read = await request.Body.ReadAsync(buffer.AsMemory(total), ct)) > 0)
        {
            total += read;
        }
        return total > OpsRequest.MaxBodyBytes ? ([], OpsBodyRead.TooLarge) : (buffer[..total], OpsBodyRead.Complete);
    }

    private static string? RemoteAddress(HttpRequest request)
    {
        var peer = request.HttpContext.Connection.RemoteIpAddress?.ToString();
        var forwarded = request.Headers["X-Forwarded-For"].ToString();
        var remote = string.IsNullOrWhiteSpace(forwarded) ? peer : $"{forwarded.Split(',')[0].Trim()} via {peer}";
        return remote is null ? null : UntrustedText.Escape(remote, MaxRemoteLength);
    }
}
