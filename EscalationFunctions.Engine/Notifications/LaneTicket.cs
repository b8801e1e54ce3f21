namespace EscalationFunctions.Engine.Notifications;

/// <summary>A lane this process holds in <c>slack_webhook_lanes</c>: the webhook, the holder's token, the wait before its first post.</summary>
public sealed record LaneTicket(PlannedLane Plan, Guid Token, TimeSpan FirstWait)
{
    public string WebhookId => Plan.WebhookId;
    public SlackWebhook Webhook => Plan.Webhook;
}
