using EscalationFunctions.Engine.Runtime;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Engine.Slack.Delivery;
using EscalationFunctions.Engine.Tick;

namespace EscalationFunctions.Server;

/// <summary>
/// The plain host's timer: every <c>ESC_TICK_MS</c> a tick followed by delivery
/// (<see cref="TimerInvocation"/>), the first one period after start (like the Functions timer with
/// <c>RunOnStartup = false</c>). A cycle that runs long delays the next one instead of overlapping it.
/// A failed cycle is retried with <see cref="FailureBackoff"/>: the period, doubling up to 30 s while
/// it keeps failing, one warning when it starts and one line when it recovers.
/// </summary>
public sealed class TickTimerService(TimerInvocation cycle, EscalationSettings settings, TimeProvider time, ILogger<TickTimerService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var period = settings.Tick.Period;
        var backoff = new FailureBackoff("Tick", period, logger, time);
        var delay = period;
        try
        {
            while (true)
            {
                await Task.Delay(delay, time, stoppingToken);
                var started = time.GetTimestamp();
                try
                {
                    await cycle.RunAsync(stoppingToken);
                    backoff.Succeeded();
                    var rest = period - time.GetElapsedTime(started);
                    delay = rest > TimeSpan.Zero ? rest : TimeSpan.Zero;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    delay = backoff.Failed(e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
