namespace EscalationFunctions.Engine.Notifications;

/// <summary>Delivers one Slack message. Chosen by <c>SLACK_DELIVERY</c>: webhook (HTTP) or console.</summary>
public interface ISlackTransport
{
    /// <summary>Whether posts to one webhook must be spaced out (Slack's ~1 message/s limit).</summary>
    bool IsRateLimited { get; }

    Task<SlackPostResult> PostAsync(SlackWebhook webhook, SlackMessage message, CancellationToken ct);
}
