using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Engine.Slack.Delivery;

namespace EscalationFunctions.Engine.Tick;

/// <summary>
/// What one timer invocation does, on both hosts (reference §1.1): tick, then deliver the waiting Slack
/// messages itself until the outbox has nothing this instance can send or <see cref="BudgetShare"/>
/// of <c>ESC_TICK_MS</c> is spent. An instance may be frozen between invocations, so delivery may
/// not rely on the background sender. The rest of the period covers a post still in flight at the
/// deadline (no post starts after it, and each is bounded by <c>SLACK_TIMEOUT_MS</c>). Answers to
/// Slack clicks still waiting are rows of the same queue and go out beside the pages, each in its own lane.
/// </summary>
public sealed class TimerInvocation(
    EscalationTicker ticker,
    NotificationDispatcher dispatcher,
    EscalationSettings settings,
    TimeProvider time)
{
    public const double BudgetShare = 0.8;

    /// <summary>
    /// Ticks, then delivers. A tick that fails still lets the messages already committed go out
    /// (they do not depend on it); its error is then thrown for the host to log.
    /// </summary>
    public async Task<TickResult> RunAsync(CancellationToken ct)
    {
        var deadline = time.GetUtcNow() + (settings.Tick.Period * BudgetShare);
        TickResult result;
        try
        {
            result = await ticker.TickAsync(ct);
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            await dispatcher.DeliverAsync(deadline, ct);
            throw;
        }
        await dispatcher.DeliverAsync(deadline, ct);
        return result;
    }
}
