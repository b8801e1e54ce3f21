namespace EscalationFunctions.Engine.Slack.Transports;

public enum SlackPostStatus
{
    Delivered,

    /// <summary>429: the webhook asked us to wait <see cref="SlackPostResult.RetryAfter"/>.</summary>
    RateLimited,

    /// <summary>A failure worth retrying: 5xx, timeout (outcome unknown: posting again is the safe side), connection error.</summary>
    Failed,

    /// <summary>Refused for good (reference §5.3): any 4xx but 429, or a redirect, which is never followed.</summary>
    Refused,

    /// <summary>App mode (reference §10.3): Slack refuses the bot token. Nothing is wrong with the message; everything waits for a good token.</summary>
    AuthFailed,
}
