using EscalationFunctions.Engine.Slack.Delivery;
using EscalationFunctions.Engine.Slack.Transports;

namespace EscalationFunctions.Tests.Slack;

/// <summary>Reference §5.3's outcomes, decided from the answer alone.</summary>
[Lane(TestLane.Unit)]
public class PostDecisionTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan RetryBase = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan MaxRetry = TimeSpan.FromMinutes(10);

    private static PostDecision Decide(SlackPostResult result, int attempts = 1, int rateLimitedInARow = 1) =>
        PostDecision.Decide(result, attempts, rateLimitedInARow, Interval, RetryBase, MaxRetry);

    [Fact]
    public void A_delivered_post_holds_the_webhook_for_the_pace_only()
    {
        var decision = Decide(SlackPostResult.Delivered);
        Assert.Equal((PostOutcome.Sent, Interval), (decision.Outcome, decision.HoldWebhook));
    }

    [Fact]
    public void A_refusal_is_dead_at_once_and_holds_the_webhook_for_the_pace_only_so_the_next_message_goes_on()
    {
        var decision = Decide(new SlackPostResult(SlackPostStatus.Refused, "HTTP 404 Not Found: no_service"), attempts: 1);
        Assert.Equal((PostOutcome.Dead, Interval), (decision.Outcome, decision.HoldWebhook));
    }

    [Theory]
    [InlineData(30, 30)]
    [InlineData(0.2, 1)] // never sooner than the pace or a second
    public void A_429_holds_the_webhook_for_its_Retry_After(double retryAfterSeconds, double expectedHoldSeconds)
    {
        var decision = Decide(new SlackPostResult(SlackPostStatus.RateLimited, "HTTP 429", TimeSpan.FromSeconds(retryAfterSeconds)));
        Assert.Equal(PostOutcome.RateLimited, decision.Outcome);
        Assert.Equal(TimeSpan.FromSeconds(expectedHoldSeconds), decision.HoldWebhook);
    }

    [Fact]
    public void A_429_without_Retry_After_holds_the_webhook_for_a_backoff_that_grows_with_each_429_in_a_row()
    {
        var holds = Enumerable.Range(1, 6)
            .Select(n => Decide(new SlackPostResult(SlackPostStatus.RateLimited, "HTTP 429"), rateLimitedInARow: n).HoldWebhook.TotalSeconds)
            .ToList();
        for (var n = 0; n < holds.Count; n++)
        {
            Assert.InRange(holds[n], Math.Max(1, 0.8 * Math.Pow(2, n)), 1.2 * Math.Pow(2, n));
        }
        Assert.True(holds[^1] > holds[0] * 10, string.Join(", ", holds));
    }

    [Fact]
    public void A_transient_failure_retries_with_a_growing_backoff_and_holds_the_webhook_as_long()
    {
        var seeded = new Random(12);
        for (var i = 0; i < 200; i++)
        {
            var attempts = seeded.Next(1, 12);
            var decision = Decide(new SlackPostResult(SlackPostStatus.Failed, "HTTP 503"), attempts);
            var nominal = Math.Min(MaxRetry.TotalSeconds, RetryBase.TotalSeconds * Math.Pow(2, attempts - 1));
            Assert.Equal(PostOutcome.Retry, decision.Outcome);
            Assert.InRange(decision.RetryIn.TotalSeconds, nominal * 0.8 - 0.001, nominal * 1.2 + 0.001);
            Assert.Equal(decision.RetryIn > Interval ? decision.RetryIn : Interval, decision.HoldWebhook);
        }
    }
}
