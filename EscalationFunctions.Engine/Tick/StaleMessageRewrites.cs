using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Engine.Slack.App;
using EscalationFunctions.Engine.Slack.Outbox;

namespace EscalationFunctions.Engine.Tick;

/// <summary>
/// App mode (reference §10.4): messages that still show an incident acknowledged or resolved since as
/// open are rewritten, whatever the escalation gates say (a paused worker still tells the truth).
/// </summary>
public sealed class StaleMessageRewrites(EscalationSettings settings, SlackMessageStore slackMessages, OutboxSignal outboxSignal)
{
    /// <summary>Queues the rewrites owed (none in webhook mode or a dry run) and wakes the sender when there are any.</summary>
    public async Task QueueAsync(bool dryRun, CancellationToken ct)
    {
        if (settings.Slack.App is not null && !dryRun && await slackMessages.QueueRewritesAsync(ct) > 0)
        {
            outboxSignal.Notify();
        }
    }
}
