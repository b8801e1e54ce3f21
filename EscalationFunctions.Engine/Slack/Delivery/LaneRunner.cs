using EscalationFunctions.Engine.Slack.Outbox;

namespace EscalationFunctions.Engine.Slack.Delivery;

/// <summary>
/// The sending loop of one webhook, run by the holder of its lane (reference §5.1–§5.3): take its oldest
/// waiting message(s) (the first ones come with the <see cref="HeldLane"/>, claimed for every lane
/// of a planning pass at once), wait until the webhook is free, post, record the outcome, hold the webhook
/// for the pace (or what its answer asks), repeat until nothing waits or the deadline comes. Every
/// outcome is written as soon as it is known, so a crash repeats at most the post in flight. A
/// refused message is dead-lettered and the next one goes on; retry timing lives on the rows and on
/// the lane (<c>next_free_at</c>), never only in memory. The post and its outcome are <see cref="LanePoster"/>'s.
/// </summary>
public sealed class LaneRunner(
    ClaimedRows claimedRows,
    LaneLeases leases,
    SlackMessageComposer composer,
    LanePoster poster,
    DeliveryShutdown shutdown,
    TimeProvider time)
{
    /// <summary>
    /// How long before its webhook is free a post's start is recorded (<see cref="ClaimedRows.StartPostsAsync"/>):
    /// a write whose commit takes 10–20 ms on a disk that syncs, which would otherwise be added to every
    /// interval (about 2% of the pace at one post a second). The supersede check, which writes only when it
    /// sets a page aside, still runs right before the post.
    /// </summary>
    private static readonly TimeSpan StartAhead = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Runs the lane until nothing waits, <paramref name="stopBy"/> comes or the host stops; always
    /// releases it. When the host stops, the rows claimed but not posted go back at once, and a post
    /// in flight gets <see cref="DeliveryShutdown.PostGrace"/> before it is abandoned.
    /// </summary>
    /// <param name="stopBy">No post starts after it; fixed when the lane starts, so no other lane's deadline can shorten it.</param>
    /// <returns>The messages this lane posted with success.</returns>
    public async Task<int> RunAsync(HeldLane lane, DateTimeOffset stopBy)
    {
        await Task.Yield();
        var stopping = shutdown.Stopping;
        var sent = 0;
        // The webhook is free `wait` after `waitFrom` (a local timestamp): the claim of the next
        // message happens inside that wait rather than after it.
        var wait = lane.FirstWait;
        var waitFrom = time.GetTimestamp();
        var rateLimitedInARow = 0;
        var heartbeat = leases.StartHeartbeat(lane);
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
                    await claimedRows.GiveBackAsync(rows, giveBackAttempt: false);
                    break;
                }
                // The attempt counts from here, recorded StartAhead before the webhook is free so that
                // its commit does not stretch the pace.
                var starting = claimedRows.StartPostsAsync(rows);
                var free = await WaitAsync(wait - time.GetElapsedTime(waitFrom), stopping);
                rows = await starting;
                if (!free)
                {
                    // Stopping before the post: its attempt was counted, and is given back with the rows.
                    heartbeat.Carrying([]);
                    await claimedRows.GiveBackAsync(rows, giveBackAttempt: true);
                    break;
                }
                // Reference §5.6: what was acknowledged or resolved while the lane waited is not posted; a digest
                // shrinks, and when nothing is left the lane goes on to its next rows at once.
                rows = await claimedRows.SupersedeClosedAsync(rows);
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
                    await claimedRows.MarkDeadAsync(rows, "the message to rewrite is no longer in slack_messages");
                    continue;
                }
                (var next, var delivered, rateLimitedInARow) = await poster.PostAsync(lane, message, rateLimitedInARow, shutdown.AbandonPosts);
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
            await leases.ReleaseAsync(lane);
        }
        return sent;
    }

    private async Task<IReadOnlyList<OutboxNotification>> ClaimNextOfAsync(PlannedLane lane) =>
        (await leases.ClaimNextAsync([lane])).GetValueOrDefault(lane.WebhookId) ?? [];

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
