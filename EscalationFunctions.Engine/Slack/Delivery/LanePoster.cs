using EscalationFunctions.Engine.Slack.Messages;
using EscalationFunctions.Engine.Slack.Transports;
using Microsoft.Extensions.Logging;

namespace EscalationFunctions.Engine.Slack.Delivery;

/// <summary>
/// One post of a held lane: send the message, hold the destination for what the answer asks, record the outcome.
/// The destination's hold is written first, as soon as the answer is in, so the pace counts from the
/// answer and not from the bookkeeping.
/// </summary>
public sealed class LanePoster(
    SlackTransports transports,
    LanePace pace,
    LaneLeases leases,
    LaneOutcomeRecorder outcomes,
    TimeProvider time,
    ILogger<LanePoster> logger)
{
    /// <summary>
    /// Posts one message and records its outcome; returns the wait before the next post and when it
    /// began (null: stop), and the escalations delivered.
    /// </summary>
    /// <param name="abandon">Cancelled when the host stops and a post in flight has had its grace.</param>
    public async Task<((TimeSpan Wait, long From)? Next, int Delivered, int RateLimitedInARow)> PostAsync(
        HeldLane lane, SlackMessage message, int rateLimitedBefore, CancellationToken abandon)
    {
        SlackPostResult result;
        try
        {
            result = await transports.For(lane.Plan).PostAsync(lane.Plan, message, abandon);
        }
        catch (OperationCanceledException) when (abandon.IsCancellationRequested)
        {
            // Stopping, and the post outlived its grace: the outcome is unknown, so the rows keep their
            // (short) lease and are posted again once it runs out; the webhook is held as if it had answered.
            DeliveryLog.PostAbandoned(logger, message.Describe(), lane.Name);
            await leases.AnsweredAsync(lane, () => pace.IntervalOf(lane.Plan));
            return (null, 0, rateLimitedBefore);
        }

        var answeredAt = time.GetTimestamp();
        var inARow = result.Status == SlackPostStatus.RateLimited ? rateLimitedBefore + 1 : 0;
        var decision = pace.Decide(lane.Plan, result, message.Members.Max(m => m.Attempts), inARow);
        // The hold counts from the answer: the time spent waiting for a connection to record it is
        // taken off when the statement is sent, so a busy pool does not stretch every webhook's interval.
        var next = await leases.AnsweredAsync(lane, () => decision.HoldWebhook - time.GetElapsedTime(answeredAt));
        var nextFrom = time.GetTimestamp();
        await outcomes.RecordAsync(lane, message, result, decision);
        var delivered = decision.Outcome == PostOutcome.Sent ? message.Members.Count : 0;
        return (next is { } wait ? (wait, nextFrom) : null, delivered, inARow);
    }
}
