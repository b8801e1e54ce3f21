using Microsoft.Extensions.Logging;

namespace EscalationFunctions.Engine.Notifications;

/// <summary>
/// Delivers the outbox to Slack after the tick has committed (spec §4.2, §5): opens a
/// <see cref="WebhookLane"/> for every webhook with waiting messages whose lane no one holds
/// (<see cref="LanePlanner"/> picks them, the database settles which instance gets each), and runs
/// the lanes in parallel, so a failing or slow webhook holds up only itself.
/// <para>
/// The timer invocation delivers through <see cref="DeliverAsync"/> within its budget (spec §1.1);
/// the background sender (<c>NotificationSenderService</c>) calls <see cref="StartLanesAsync"/> to
/// deliver sooner between invocations.
/// </para>
/// </summary>
public sealed class NotificationDispatcher(
    OutboxStore store,
    WebhookLaneStore lanes,
    SlackWebhookDirectory webhooks,
    WebhookLane lane,
    OutboxSignal signal,
    TimeProvider time,
    ILogger<NotificationDispatcher> logger)
{
    /// <summary>How long one lane holds its webhook before handing it back; others may take it over then.</summary>
    public static readonly TimeSpan LaneHorizon = TimeSpan.FromSeconds(10);

    private readonly Dictionary<string, Task<int>> _lanes = new();
    private readonly Lock _lanesLock = new();

    /// <summary>
    /// While an invocation delivers, no lane of this process starts a post after its deadline (UTC
    /// ticks, read by the lanes on other threads; a long is read and written whole).
    /// </summary>
    private long _invocationDeadlineTicks = DateTimeOffset.MaxValue.UtcTicks;

    private DateTimeOffset InvocationDeadline
    {
        get => new(Interlocked.Read(ref _invocationDeadlineTicks), TimeSpan.Zero);
        set => Interlocked.Exchange(ref _invocationDeadlineTicks, value.UtcTicks);
    }

    /// <summary>
    /// One planning pass at a time in this process. A pass takes its lanes before it registers them;
    /// a second pass running meanwhile would see those lanes held and none running here, and a drain
    /// would return while they still had messages to post.
    /// </summary>
    private readonly SemaphoreSlim _planning = new(1, 1);

    /// <summary>Starts lanes for every webhook with waiting messages and no lane held; returns how many started.</summary>
    public Task<int> StartLanesAsync(CancellationToken ct) => StartLanesAsync(Min(time.GetUtcNow() + LaneHorizon, InvocationDeadline), ct);

    private async Task<int> StartLanesAsync(DateTimeOffset stopBy, CancellationToken ct)
    {
        var within = stopBy - time.GetUtcNow();
        if (within <= TimeSpan.Zero)
        {
            return 0;
        }
        await _planning.WaitAsync(ct);
        try
        {
            var waiting = await store.WaitingRoutesAsync(ct);
            if (waiting.Count == 0)
            {
                return 0;
            }
            var table = await webhooks.CurrentAsync(ct);
            var planned = LanePlanner.Plan(waiting, table, IsRunning);
            if (planned.Count == 0)
            {
                return 0;
            }
            var taken = await lanes.AcquireLanesAsync(planned.Select(p => p.WebhookId).ToList(), within, lane.Lease, ct);
            var byId = planned.ToDictionary(p => p.WebhookId);
            var tickets = taken.Select(t => new LaneTicket(byId[t.WebhookId], t.Token, t.FirstWait, [])).ToList();
            var firstMessages = await ClaimFirstMessagesAsync(tickets);
            foreach (var ticket in tickets)
            {
                StartLane(ticket with { FirstMessages = firstMessages.GetValueOrDefault(ticket.WebhookId) ?? [] }, stopBy, ct);
            }
            return taken.Count;
        }
        finally
        {
            _planning.Release();
        }
    }

    /// <summary>
    /// Claims the first message(s) of every lane just taken, in one statement: claimed lane by lane,
    /// a hundred lanes spread their first posts over ~0.4 s of claims queueing for connections. If the
    /// claim fails, the lanes are handed back at once rather than held idle until their lease runs out.
    /// </summary>
    private async Task<Dictionary<string, List<OutboxNotification>>> ClaimFirstMessagesAsync(List<LaneTicket> taken)
    {
        if (taken.Count == 0)
        {
            return [];
        }
        try
        {
            return await lane.ClaimNextAsync(taken.Select(t => t.Plan).ToList());
        }
        catch
        {
            try
            {
                foreach (var ticket in taken)
                {
                    await lanes.ReleaseLaneAsync(ticket);
                }
            }
            catch (Exception e)
            {
                // The claim's error is the one to report; lanes not handed back free up when their lease runs out.
                logger.LogWarning(e, "Slack lanes could not be handed back after their first claim failed");
            }
            throw;
        }
    }

    /// <summary>Waits until every lane running now has finished.</summary>
    public async Task WhenLanesIdleAsync()
    {
        Task[] running;
        lock (_lanesLock)
        {
            running = _lanes.Values.ToArray<Task>();
        }
        await Task.WhenAll(running);
    }

    /// <summary>Sends until nothing waits that this process could send now (rows waiting for a retry stay).</summary>
    public Task DrainAsync(CancellationToken ct) => DeliverAsync(DateTimeOffset.MaxValue, ct);

    /// <summary>
    /// Delivers until nothing waits that this process could send, or until <paramref name="deadline"/>
    /// (spec §1.1): no post starts after it; a post in flight then is waited for, which
    /// <c>SLACK_TIMEOUT_MS</c> bounds. Lanes other instances hold are theirs to finish.
    /// </summary>
    public async Task DeliverAsync(DateTimeOffset deadline, CancellationToken ct)
    {
        InvocationDeadline = deadline;
        try
        {
            while (time.GetUtcNow() < deadline)
            {
                var started = await StartLanesAsync(Min(time.GetUtcNow() + LaneHorizon, deadline), ct);
                var wasBusy = IsAnyRunning();
                await WhenLanesIdleAsync();
                if (started == 0 && !wasBusy)
                {
                    return;
                }
            }
        }
        finally
        {
            InvocationDeadline = DateTimeOffset.MaxValue;
        }
    }

    private void StartLane(LaneTicket ticket, DateTimeOffset stopBy, CancellationToken ct)
    {
        lock (_lanesLock)
        {
            _lanes[ticket.WebhookId] = RunLaneAsync(ticket, stopBy, ct);
        }
    }

    private async Task<int> RunLaneAsync(LaneTicket ticket, DateTimeOffset laneStopBy, CancellationToken ct)
    {
        try
        {
            return await lane.RunAsync(ticket, () => Min(laneStopBy, InvocationDeadline), ct);
        }
        catch (Exception e)
        {
            // Claimed rows stay leased and are tried again once their lease runs out.
            logger.LogError(e, "Slack lane for the {Webhook} webhook stopped", ticket.Webhook.Label);
            return 0;
        }
        finally
        {
            lock (_lanesLock)
            {
                _lanes.Remove(ticket.WebhookId);
            }
            signal.Notify();
        }
    }

    private bool IsRunning(string webhookId)
    {
        lock (_lanesLock)
        {
            return _lanes.ContainsKey(webhookId);
        }
    }

    private bool IsAnyRunning()
    {
        lock (_lanesLock)
        {
            return _lanes.Count > 0;
        }
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
