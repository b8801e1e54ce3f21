using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Engine.Slack.App;
using EscalationFunctions.Engine.Slack.Messages;
using EscalationFunctions.Engine.Slack.Outbox;
using EscalationFunctions.Engine.Slack.Transports;
using EscalationFunctions.Engine.Telemetry;
using Microsoft.Extensions.Logging;

namespace EscalationFunctions.Engine.Slack.Delivery;

/// <summary>
/// The sending loop of one webhook, run by the holder of its lane (reference §5.1–§5.3): take its oldest
/// waiting message(s) (the first ones come with the <see cref="LaneTicket"/>, claimed for every lane
/// of a planning pass at once), wait until the webhook is free, post, record the outcome, hold the webhook
/// for the pace (or what its answer asks), repeat until nothing waits or the deadline comes. Every
/// outcome is written as soon as it is known, so a crash repeats at most the post in flight. A
/// refused message is dead-lettered and the next one goes on; retry timing lives on the rows and on
/// the lane (<c>next_free_at</c>), never only in memory.
/// </summary>
public sealed class WebhookLane(
    OutboxStore store,
    WebhookLaneStore lanes,
    SlackTransports transports,
    SlackMessageComposer composer,
    SlackMessageStore posted,
    SlackAuthMonitor auth,
    EscalationSettings settings,
    IMetricSink metrics,
    DeliveryShutdown shutdown,
    TimeProvider time,
    ILogger<WebhookLane> logger)
{
    public DeliveryLease Lease { get; } = DeliveryLease.Default;

    /// <summary>
    /// How long before its webhook is free a post's start is recorded (<see cref="OutboxStore.StartPostsAsync"/>):
    /// a write whose commit takes 10–20 ms on a disk that syncs, which would otherwise be added to every
    /// interval (about 2% of the pace at one post a second). The supersede check, which writes only when it
    /// sets a page aside, still runs right before the post.
    /// </summary>
    private static readonly TimeSpan StartAhead = TimeSpan.FromMilliseconds(100);

    /// <summary>The pace between two posts to one destination; none when its transport is not rate-limited (console, a response_url).</summary>
    public TimeSpan IntervalOf(PlannedLane lane) => transports.For(lane).IsRateLimited ? settings.Slack.MinInterval : TimeSpan.Zero;

    /// <summary>Claims the next message(s) of each lane in one statement: a single message, or a digest's worth in a storm (reference §5.2).</summary>
    public Task<Dictionary<string, List<OutboxNotification>>> ClaimNextAsync(IReadOnlyList<PlannedLane> lanes) =>
        store.ClaimNextAsync(lanes, Lease, composer.DigestThreshold, composer.DigestMax, CancellationToken.None);

    /// <summary>
    /// Runs the lane until nothing waits, <paramref name="stopBy"/> comes or the host stops; always
    /// releases it. When the host stops, the rows claimed but not posted go back at once, and a post
    /// in flight gets <see cref="DeliveryShutdown.PostGrace"/> before it is abandoned.
    /// </summary>
    /// <param name="stopBy">No post starts after it; fixed when the lane starts, so no other lane's deadline can shorten it.</param>
    /// <returns>The messages this lane posted with success.</returns>
    public async Task<int> RunAsync(LaneTicket lane, DateTimeOffset stopBy)
    {
        await Task.Yield();
        var stopping = shutdown.Stopping;
        var sent = 0;
        // The webhook is free `wait` after `waitFrom` (a local timestamp): the claim of the next
        // message happens inside that wait rather than after it.
        var wait = lane.FirstWait;
        var waitFrom = time.GetTimestamp();
        var rateLimitedInARow = 0;
        var heartbeat = new LeaseHeartbeat(store, lanes, lane, Lease, time, logger);
        IReadOnlyList<OutboxNotification>? claimed = lane.FirstMessages;
        try
        {
            while (!heartbeat.Lost)
            {
                var rows = claimed ?? (stopping.IsCancellationRequested ? [] : await ClaimNextOfAsync(lane.Plan));
                claimed = null;
                if (rows.Count == 0)
                {
                    break;
                }
                var preparing = composer.PrepareAsync(lane.Plan, rows);
                heartbeat.Carrying(rows.Select(r => r.Id));
                var left = wait - time.GetElapsedTime(waitFrom);
                if (stopping.IsCancellationRequested || stopBy - time.GetUtcNow() < left || !await WaitAsync(left - StartAhead, stopping))
                {
                    // Not posted: the rows go back as they were (no attempt was counted), for this lane's next holder.
                    heartbeat.Carrying([]);
                    await store.ReleaseAsync(rows.Select(r => r.Id).ToArray(), null, giveBackAttempt: false);
                    break;
                }
                // The attempt counts from here, recorded StartAhead before the webhook is free so that
                // its commit does not stretch the pace.
                var starting = store.StartPostsAsync(rows);
                var free = await WaitAsync(wait - time.GetElapsedTime(waitFrom), stopping);
                rows = await starting;
                if (!free)
                {
                    // Stopping before the post: its attempt was counted, and is given back with the rows.
                    heartbeat.Carrying([]);
                    await store.ReleaseAsync(rows.Select(r => r.Id).ToArray(), null, giveBackAttempt: true);
                    break;
                }
                // Reference §5.6: what was acknowledged or resolved while the lane waited is not posted; a digest
                // shrinks, and when nothing is left the lane goes on to its next rows at once.
                rows = await store.SupersedeClosedAsync(rows);
                heartbeat.Carrying(rows.Select(r => r.Id));
                if (rows.Count == 0)
                {
                    continue;
                }
                // Not cancelled: the rows are claimed, and the secret read behind the button is bounded by the vault client.
                var message = await composer.ComposeAsync(lane.Plan, rows, await preparing, CancellationToken.None);
                if (message is null)
                {
                    heartbeat.Carrying([]);
                    await store.MarkDeadAsync(rows.Select(r => r.Id).ToArray(), "the message to rewrite is no longer in slack_messages");
                    continue;
                }
                (var next, var delivered, rateLimitedInARow) = await PostAsync(lane, message, rateLimitedInARow);
                heartbeat.Carrying([]);
                sent += delivered;
                if (next is not { } nextWait)
                {
                    break;
                }
                (wait, waitFrom) = nextWait;
            }
        }
        finally
        {
            await heartbeat.DisposeAsync();
            await lanes.ReleaseLaneAsync(lane);
        }
        return sent;
    }

    /// <summary>
    /// Posts one message and records its outcome; returns the wait before the next post and when it
    /// began (null: stop), and the escalations delivered. The webhook's hold is written first, as
    /// soon as the answer is in, so the pace counts from the answer and not from the bookkeeping.
    /// </summary>
    private async Task<((TimeSpan Wait, long From)? Next, int Delivered, int RateLimitedInARow)> PostAsync(
        LaneTicket lane, SlackMessage message, int rateLimitedBefore)
    {
        var ids = message.Members.Select(m => m.Id).ToArray();
        SlackPostResult result;
        try
        {
            result = await transports.For(lane.Plan).PostAsync(lane.Plan, message, shutdown.AbandonPosts);
        }
        catch (OperationCanceledException) when (shutdown.AbandonPosts.IsCancellationRequested)
        {
            // Stopping, and the post outlived its grace: the outcome is unknown, so the rows keep their
            // (short) lease and are posted again once it runs out; the webhook is held as if it had answered.
            logger.LogWarning("Slack {Message} to the {Destination} was abandoned in flight as the worker stops; the next holder posts it again",
                message.Describe(), lane.Name);
            await lanes.AnsweredAsync(lane, () => IntervalOf(lane.Plan), Lease);
            return (null, 0, rateLimitedBefore);
        }

        var answeredAt = time.GetTimestamp();
        var inARow = result.Status == SlackPostStatus.RateLimited ? rateLimitedBefore + 1 : 0;
        var decision = PostDecision.Decide(result, message.Members.Max(m => m.Attempts), inARow, IntervalOf(lane.Plan),
            settings.Slack.RetryBase, settings.Slack.MaxRetryDelay);
        // The hold counts from the answer: the time spent waiting for a connection to record it is
        // taken off when the statement is sent, so a busy pool does not stretch every webhook's interval.
        var next = await lanes.AnsweredAsync(lane, () => decision.HoldWebhook - time.GetElapsedTime(answeredAt), Lease);
        var nextFrom = time.GetTimestamp();
        switch (decision.Outcome)
        {
            case PostOutcome.Sent:
                await RecordSentAsync(message, result, ids);
                break;
            case PostOutcome.AuthFailing:
                // Logged once for every instance and channel by the monitor; the rows wait, their attempt given back.
                await store.ReleaseAsync(ids, result.Error, giveBackAttempt: true);
                await auth.FailedAsync(result.Error!);
                break;
            case PostOutcome.RateLimited:
                metrics.Track(MetricNames.SlackSendFailures, 1);
                logger.LogWarning("Slack {Destination} rate-limited the {Message}; retrying in {RetryMs:F0} ms",
                    lane.Name, message.Describe(), decision.HoldWebhook.TotalMilliseconds);
                await store.ReleaseAsync(ids, result.Error, giveBackAttempt: true);
                break;
            case PostOutcome.Dead:
                metrics.Track(MetricNames.SlackSendFailures, 1);
                await store.MarkDeadAsync(ids, result.Error!);
                logger.LogError("Slack {Destination} refused the {Message}, dead-lettered: {Error}",
                    lane.Name, message.Describe(), result.Error);
                break;
            default:
                metrics.Track(MetricNames.SlackSendFailures, 1);
                var dead = await store.MarkFailedAsync(ids, decision.RetryIn, result.Error!);
                if (dead.Count > 0)
                {
                    logger.LogError("Slack {Message} to the {Destination} is dead-lettered after {Attempts} attempt(s): {Error}",
                        message.Describe(), lane.Name, message.Members.Max(m => m.Attempts), result.Error);
                }
                else
                {
                    logger.LogWarning("Slack {Message} to the {Destination} failed (attempt {Attempt} of {MaxAttempts}): {Error}; retrying in {RetryMs:F0} ms",
                        message.Describe(), lane.Name, message.Members.Max(m => m.Attempts), settings.Slack.MaxAttempts, result.Error,
                        decision.RetryIn.TotalMilliseconds);
                }
                break;
        }
        var delivered = decision.Outcome == PostOutcome.Sent ? message.Members.Count : 0;
        return (next is { } wait ? (wait, nextFrom) : null, delivered, inARow);
    }

    /// <summary>Sent: in app mode the message is remembered (a post) or noted as rewritten (a rewrite), in the statement that marks it sent.</summary>
    private async Task RecordSentAsync(SlackMessage message, SlackPostResult result, long[] ids)
    {
        if (message.App is not { } target)
        {
            await store.MarkSentAsync(ids);
            return;
        }
        if (target.IsUpdate)
        {
            await posted.RecordRewrittenAsync(ids);
        }
        else if (result.Ts is { } ts)
        {
            await posted.RecordPostedAsync(message, target, ts);
        }
        else
        {
            await store.MarkSentAsync(ids);
        }
        await auth.SucceededAsync();
    }

    private async Task<IReadOnlyList<OutboxNotification>> ClaimNextOfAsync(PlannedLane lane) =>
        (await ClaimNextAsync([lane])).GetValueOrDefault(lane.WebhookId) ?? [];

    /// <summary>Waits <paramref name="wait"/> in full (timers can end a little early; nothing when it is not positive); false when cancelled.</summary>
    private async Task<bool> WaitAsync(TimeSpan wait, CancellationToken ct)
    {
        var started = time.GetTimestamp();
        try
        {
            for (var left = wait; left > TimeSpan.Zero; left = wait - time.GetElapsedTime(started))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Ceiling(left.TotalMilliseconds)), time, ct);
            }
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
