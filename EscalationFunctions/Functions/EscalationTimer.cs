using EscalationFunctions.Engine.Escalation;
using EscalationFunctions.Engine.Interactions;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace EscalationFunctions.Functions;

/// <summary>
/// The tick, on the schedule in the app setting ESC_TICK_SCHEDULE (NCRONTAB, validated against ESC_TICK_MS at start),
/// then the Slack click answers still waiting (work inside an invocation, spec §1.1).
/// </summary>
public sealed class EscalationTimer(EscalationTicker ticker, SlackReplySender replies, ILogger<EscalationTimer> logger)
{
    [Function("EscalationTick")]
    public async Task RunAsync([TimerTrigger("%ESC_TICK_SCHEDULE%", RunOnStartup = false)] TimerInfo timer, CancellationToken ct)
    {
        logger.LogInformation("Escalation timer fired (past due: {IsPastDue})", timer.IsPastDue);
        await ticker.TickAsync(ct);
        await replies.DeliverDueAsync(ct);
    }
}
