using System.Collections.Concurrent;
using System.IO.Compression;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace EscalationFunctions.Testing;

/// <summary>
/// Stands in for Application Insights' ingestion endpoint on loopback: accepts the SDK's track
/// calls (newline-delimited JSON, gzip or not) and keeps every metric data point it receives.
/// </summary>
public sealed class IngestionReceiver : IAsyncDisposable
{
    private WebApplication _app = null!;
    private readonly ConcurrentQueue<MetricPoint> _metrics = new();

    public Uri BaseUrl { get; private set; } = null!;
    public IReadOnlyList<MetricPoint> Metrics => _metrics.ToArray();

    public string ConnectionString => $"InstrumentationKey=11111111-2222-3333-4444-555555555555;IngestionEndpoint={BaseUrl}";

    public static async Task<IngestionReceiver> StartAsync()
    {
        var receiver = new IngestionReceiver();
        (receiver._app, receiver.BaseUrl) = await LoopbackHttpServer.StartAsync(app => app.MapPost("/{**path}", receiver.ReceiveAsync));
        return receiver;
    }

    private async Task ReceiveAsync(HttpContext context)
    {
        var body = context.Request.Headers.ContentEncoding.ToString().Contains("gzip")
            ? new GZipStream(context.Request.Body, CompressionMode.Decompress)
            : context.Request.Body;
        using var reader = new StreamReader(body);
        var items = 0;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            items++;
            var data = JsonDocument.Parse(line).RootElement.GetProperty("data");
            if (data.GetProperty("baseType").GetString() != "MetricData")
            {
                continue;
            }
            foreach (var metric in data.GetProperty("baseData").GetProperty("metrics").EnumerateArray())
            {
                _metrics.Enqueue(new MetricPoint(
                    metric.GetProperty("name").GetString()!,
                    metric.GetProperty("value").GetDouble(),
                    metric.TryGetProperty("count", out var count) ? count.GetInt32() : 1,
                    metric.TryGetProperty("max", out var max) ? max.GetDouble() : metric.GetProperty("value").GetDouble()));
            }
        }
        await context.Response.WriteAsJsonAsync(new { itemsReceived = items, itemsAccepted = items, errors = Array.Empty<object>() });
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
