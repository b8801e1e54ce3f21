using EscalationFunctions.Engine.Slack.Transports;

namespace EscalationFunctions.Engine.Slack.Delivery;

/// <summary>
/// What to do after one post (reference §5.3), decided from the answer alone. Pure: the lane does the I/O.
/// <see cref="HoldWebhook"/> is how long nothing more goes to the webhook: the pace after any answer,
/// longer when the webhook asked for it (429) or is failing (the retry's backoff, so a sick webhook
/// is probed, not hammered). A refusal holds only for the pace: it says nothing about the next message.
/// </summary>
public sealed record PostDecision(PostOutcome Outcome, TimeSpan HoldWebhook, TimeSpan RetryIn)
{
    /// <summary>How long a channel waits after Slack refused the token (reference §10.3: retried every minute until it is fixed).</summary>
    public static readonly TimeSpan AuthRetryEvery = TimeSpan.FromMinutes(1);

    // A 429 never holds the webhook for less; without a Retry-After the hold doubles from here.
    private static readonly TimeSpan MinRateLimitHold = TimeSpan.FromSeconds(1);

    /// <param name="attempts">The most attempts among the message's members, this one included.</param>
    /// <param name="rateLimitedInARow">429s this lane met in a row, this one included: the backoff when a 429 names no Retry-After.</param>
    public static PostDecision Decide(SlackPostResult result, int attempts, int rateLimitedInARow, TimeSpan interval, TimeSpan retryBase, TimeSpan maxRetryDelay)
    {
        switch (result.Status)
        {
            case SlackPostStatus.Delivered:
                return new PostDecision(PostOutcome.Sent, interval, TimeSpan.Zero);
            case SlackPostStatus.Refused:
                return new PostDecision(PostOutcome.Dead, interval, TimeSpan.Zero);
            case SlackPostStatus.AuthFailed:
                return new PostDecision(PostOutcome.AuthFailing, Max(AuthRetryEvery, interval), TimeSpan.Zero);
            case SlackPostStatus.RateLimited:
                var asked = result.RetryAfter ?? RetryBackoff.Delay(rateLimitedInARow, MinRateLimitHold, maxRetryDelay);
                return new PostDecision(PostOutcome.RateLimited, Max(asked, MinRateLimitHold, interval), TimeSpan.Zero);
            default:
                var retryIn = RetryBackoff.Delay(attempts, retryBase, maxRetryDelay, result.RetryAfter);
                return new PostDecision(PostOutcome.Retry, Max(retryIn, interval), retryIn);
        }
    }

    private static TimeSpan Max(params TimeSpan[] values) => values.Max();
}
