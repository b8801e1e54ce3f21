namespace EscalationFunctions.Engine.Notifications;

public enum SlackPostStatus
{
    Delivered,

    /// <summary>429: the webhook asked us to wait <see cref="SlackPostResult.RetryAfter"/>.</summary>
    RateLimited,

    /// <summary>A failure worth retrying: 5xx, timeout (outcome unknown: posting again is the safe side), connection error.</summary>
    Failed,

    /// <summary>Refused for good (spec §5.3): any 4xx but 429, or a redirect, which is never followed.</summary>
    Refused,
}

/// <summary>What one POST to a webhook came to. <see cref="Error"/> never contains the webhook URL.</summary>
public sealed record SlackPostResult(SlackPostStatus Status, string? Error = null, TimeSpan? RetryAfter = null)
{
    public static SlackPostResult Delivered { get; } = new(SlackPostStatus.Delivered);
}
