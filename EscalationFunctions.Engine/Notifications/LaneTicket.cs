namespace EscalationFunctions.Engine.Notifications;

/// <summary>
/// A lane this process holds in <c>slack_webhook_lanes</c>: the webhook, the holder's token, the wait
/// before its first post, and the message(s) of that first post, claimed together with every lane
/// of the same planning pass (empty: nothing was waiting any more).
/// </summary>
public sealed record LaneTicket(PlannedLane Plan, Guid Token, TimeSpan FirstWait, IReadOnlyList<OutboxNotification> FirstMessages)
{
    public string WebhookId => Plan.WebhookId;
    public SlackWebhook Webhook => Plan.Webhook;
}
