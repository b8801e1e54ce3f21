namespace EscalationFunctions.Engine.Notifications;

public enum SlackPostStatus
{
    Delivered,

    /// <summary>429: the webhook asked us to wait <see cref="SlackPostResult.RetryAfter"/>.</summary>
    RateLimited,

    /// <summary>Any other failure, including a timeout (outcome unknown: posting again is the safe side).</summary>
    Failed,
}

/// <summary>What one POST to a webhook came to. <see cref="Error"/> never contains the webhook URL.</summary>
public sealed record SlackPostResult(SlackPostStatus Status, string? Error = null, TimeSpan? RetryAfter = null)
{
    public static SlackPostResult Delivered { get; } = new(SlackPostStatus.Delivered);
}
