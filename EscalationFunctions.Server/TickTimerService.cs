using EscalationFunctions.Engine.Configuration;
using EscalationFunctions.Engine.Escalation;
using EscalationFunctions.Engine.Interactions;

namespace EscalationFunctions.Server;

/// <summary>
/// The plain host's timer: a tick every <c>ESC_TICK_MS</c>, the first one period after start (like
/// the Functions timer with <c>RunOnStartup = false</c>). A tick that runs long delays the next
/// one instead of overlapping it; a failed tick is logged and the next one tries again. After each
/// tick it posts the Slack click answers still waiting, as the Functions timer does.
/// </summary>
public sealed class TickTimerService(
    EscalationTicker ticker,
    SlackReplySender replies,
    EscalationSettings settings,
    TimeProvider time,
    ILogger<TickTimerService> logger)
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
                    await ticker.TickAsync(stoppingToken);
                    await replies.DeliverDueAsync(stoppingToken);
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
