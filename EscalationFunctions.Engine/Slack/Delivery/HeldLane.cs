using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Engine.Slack.Outbox;

namespace EscalationFunctions.Engine.Slack.Delivery;

/// <summary>
/// A lane this process holds in <c>slack_webhook_lanes</c>: the destination (a webhook, or a click's response_url), the holder's token, the wait
/// before its first post, and the message(s) of that first post, claimed together with every lane
/// of the same planning pass (empty: nothing was waiting any more).
/// </summary>
public sealed record HeldLane(PlannedLane Plan, Guid Token, TimeSpan FirstWait, IReadOnlyList<OutboxNotification> FirstMessages)
{
    public string WebhookId => Plan.WebhookId;
    public SlackWebhook Webhook => Plan.Webhook;

    /// <summary>Safe to log: which destination the lane posts to.</summary>
    public string Name => Plan.Name;
}
