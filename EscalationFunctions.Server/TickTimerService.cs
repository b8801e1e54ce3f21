using EscalationFunctions.Engine.Configuration;
using EscalationFunctions.Engine.Escalation;

namespace EscalationFunctions.Server;

/// <summary>
/// The plain host's timer: a tick every <c>ESC_TICK_MS</c>, followed by delivery (<see cref="EscalationCycle"/>), the first one period after start (like
/// the Functions timer with <c>RunOnStartup = false</c>). A tick that runs long delays the next
/// one instead of overlapping it; a failed tick is logged and the next one tries again.
/// </summary>
public sealed class TickTimerService(EscalationCycle cycle, EscalationSettings settings, TimeProvider time, ILogger<TickTimerService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(settings.Tick.Period, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await cycle.RunAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogError(e, "Tick failed; the next tick in {PeriodMs} ms tries again", settings.Tick.Period.TotalMilliseconds);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
