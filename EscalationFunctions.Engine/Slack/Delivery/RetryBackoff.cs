namespace EscalationFunctions.Engine.Slack.Delivery;

/// <summary>
/// When a failed notification is tried again: exponential from <c>SLACK_RETRY_BASE_MS</c>, capped,
/// with ±20% jitter so that many rows failed together do not retry in lock-step. A server's own
/// Retry-After wins when it asks for longer.
/// </summary>
public static class RetryBackoff
{
    public static TimeSpan Delay(int failedAttempts, TimeSpan baseDelay, TimeSpan maxDelay, TimeSpan? retryAfter = null)
    {
        var exponent = Math.Clamp(failedAttempts - 1, 0, 30);
        var ms = Math.Min(maxDelay.TotalMilliseconds, baseDelay.TotalMilliseconds * Math.Pow(2, exponent));
        ms *= 0.8 + (Random.Shared.NextDouble() * 0.4);
        var delay = TimeSpan.FromMilliseconds(ms);
        return retryAfter is { } asked && asked > delay ? asked : delay;
    }
}
