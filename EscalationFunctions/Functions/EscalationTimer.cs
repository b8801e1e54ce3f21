using EscalationFunctions.Engine.Tick;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace EscalationFunctions.Functions;

/// <summary>
/// The tick and the Slack delivery after it (reference §1.1), on the schedule in the app setting
/// ESC_TICK_SCHEDULE (NCRONTAB, validated against ESC_TICK_MS at start).
/// </summary>
public sealed class EscalationTimer(TimerInvocation cycle, ILogger<EscalationTimer> logger)
{
    [Function("EscalationTick")]
    public async Task RunAsync([TimerTrigger("%ESC_TICK_SCHEDULE%", RunOnStartup = false)] TimerInfo timer, CancellationToken ct)
    {
        FunctionsLog.TimerFired(logger, timer.IsPastDue);
        await cycle.RunAsync(ct);
    }
}
