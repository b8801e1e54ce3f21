using EscalationFunctions.Engine.Settings;

namespace EscalationFunctions.Engine.Slack.Outbox;

/// <summary>
/// A destination to open a lane for. Pages: a webhook and the routes whose messages it carries.
/// Click answers: one response_url (<see cref="Destination"/>, as stored), no route.
/// </summary>
public sealed record PlannedLane(SlackWebhook Webhook, string WebhookId, IReadOnlyList<string> Routes)
{
    /// <summary>How a click answer's lane is named in logs: its URL is a secret.</summary>
    public const string ResponseUrlLabel = "click's response_url";

    public OutgoingKind Kind { get; init; } = OutgoingKind.Page;

    /// <summary>The stored destination of a click answer's lane; null for a webhook's.</summary>
    public string? Destination { get; init; }

    /// <summary>
    /// App mode (reference §10.3): the channel this lane posts to through the Web API, its pages (by route)
    /// and then its rewrites (<see cref="OutgoingKind.MessageUpdate"/>); null for a webhook's lane.
    /// </summary>
    public string? Channel { get; init; }

    /// <summary>
    /// A lane of one click answer's response_url: used once, so its row in <c>slack_webhook_lanes</c>
    /// is removed when the lane ends (unless its destination asked to be left alone for longer).
    /// </summary>
    public bool IsOneOff => Kind == OutgoingKind.ClickAnswer;

    /// <summary>Safe to log: "route 'payments' webhook", "global webhook", "click's response_url".</summary>
    public string Name => Kind == OutgoingKind.ClickAnswer ? ResponseUrlLabel
        : Channel is not null ? $"channel {Channel}"
        : $"{Webhook.Label} webhook";
}
