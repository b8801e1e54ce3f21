using Microsoft.ApplicationInsights;
using Microsoft.Extensions.Hosting;

namespace EscalationFunctions.Hosting.Telemetry;

/// <summary>Sends what is buffered, pre-aggregated metrics included, when the host stops.</summary>
public sealed class TelemetryFlushService(TelemetryClient client) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => client.FlushAsync(cancellationToken);
}
