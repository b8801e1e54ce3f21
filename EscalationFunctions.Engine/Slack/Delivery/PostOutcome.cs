
namespace EscalationFunctions.Engine.Slack.Delivery;

public enum PostOutcome
{
    /// <summary>2xx: every member is sent.</summary>
    Sent,

    /// <summary>429: the members go back untouched (no attempt used) and the webhook is held for Retry-After (absent: a backoff).</summary>
    RateLimited,

    /// <summary>5xx, timeout, connection error: the members are retried after <see cref="PostDecision.RetryIn"/> (bounded by the attempts).</summary>
    Retry,

    /// <summary>A permanent refusal: the members are dead-lettered at once, and the webhook's next message goes on.</summary>
    Dead,

    /// <summary>App mode, the token is refused (reference §10.3): the members go back untouched and the channel is tried again in a minute.</summary>
    AuthFailing,
}
