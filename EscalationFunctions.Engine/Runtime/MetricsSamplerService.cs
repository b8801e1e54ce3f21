using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Engine.Status;
using EscalationFunctions.Engine.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EscalationFunctions.Engine.Runtime;

/// <summary>
/// Samples the gauges of reference §7 (<c>queue_lag_ms</c>, <c>tick_lag_ms</c>, <c>incidents_level_ge5</c>) and of 1.1
/// (<c>incidents_quarantined</c>, <c>dead_notifications</c>)
/// every tick period (at most every minute), independently of ticks, so they keep reporting when
/// ticks stop. A database that stays down is retried with <see cref="FailureBackoff"/>. Does nothing when no telemetry destination is configured.
/// </summary>
public sealed class MetricsSamplerService(WorkerStatusReader status, IMetricSink metrics, EscalationSettings settings, TimeProvider time,
    ILogger<MetricsSamplerService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (metrics is NullMetricSink)
        {
            return;
        }
        var period = settings.Tick.Period < TimeSpan.FromMinutes(1) ? settings.Tick.Period : TimeSpan.FromMinutes(1);
        var backoff = new FailureBackoff("Sampling the worker's gauges", period, logger, time);
        try
        {
            while (true)
            {
                var delay = period;
                try
                {
                    var sample = await status.ReadAsync(stoppingToken);
                    metrics.Track(MetricNames.QueueLagMs, sample.QueueLagMs);
                    metrics.Track(MetricNames.IncidentsLevelGe5, sample.OpenIncidentsAtLevel5OrAbove);
                    metrics.Track(MetricNames.IncidentsQuarantined, sample.QuarantinedIncidents);
                    metrics.Track(MetricNames.DeadNotifications, sample.DeadNotifications);
                    if (sample.TickLagMs is { } lag)
                    {
                        metrics.Track(MetricNames.TickLagMs, lag);
                    }
                    backoff.Succeeded();
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    delay = backoff.Failed(e);
                }
                await Task.Delay(delay, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
