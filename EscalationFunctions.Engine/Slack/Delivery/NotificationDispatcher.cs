using EscalationFunctions.Engine.Slack.Outbox;
using Microsoft.Extensions.Logging;

namespace EscalationFunctions.Engine.Slack.Delivery;

/// <summary>
/// Delivers the one outgoing queue to Slack (reference §4.2, §5, §5.7): pages after the tick has
/// committed them, click answers after the click was answered. Runs a
/// <see cref="LaneRunner"/> for every destination with waiting messages whose lane no one holds
/// (<see cref="LanePlanningPass"/> takes them, the database settles which instance gets each), and runs
/// the lanes in parallel, so a failing or slow webhook holds up only itself.
/// <para>
/// No webhook waits for another (reference §1.1, §5.1): each lane's stop time is fixed when it starts,
/// from its starter's horizon, and nothing else shortens it. The timer invocation delivers through
/// <see cref="DeliverAsync"/> within its budget and waits only for the lanes it started itself; the
/// background sender (<c>NotificationSenderService</c>) calls <see cref="StartLanesAsync"/> to
/// deliver sooner between invocations, on its own horizon. When the host stops, nothing new is
/// planned (<see cref="DeliveryShutdown"/>).
/// </para>
/// </summary>
public sealed class NotificationDispatcher(
    LanePlanningPass planningPass,
    LaneRunner runner,
    OutboxSignal signal,
    DeliveryShutdown shutdown,
    TimeProvider time,
    ILogger<NotificationDispatcher> logger)
{
    /// <summary>How long one lane holds its webhook before handing it back; others may take it over then.</summary>
    public static readonly TimeSpan LaneHorizon = TimeSpan.FromSeconds(10);

    /// <summary>How often an invocation that still runs lanes looks for webhooks that have messages and no lane.</summary>
    private static readonly TimeSpan ReplanEvery = TimeSpan.FromMilliseconds(250);

    private readonly Dictionary<string, Task<int>> _lanes = new();
    private readonly Lock _lanesLock = new();

    /// <summary>
    /// One planning pass at a time in this process. A pass takes its lanes before it registers them;
    /// a second pass running meanwhile would see those lanes held and none running here, and a drain
    /// would return while they still had messages to post.
    /// </summary>
    private readonly SemaphoreSlim _planning = new(1, 1);

    /// <summary>Starts lanes for every webhook with waiting messages and no lane held, each for <see cref="LaneHorizon"/>; returns how many started.</summary>
    public async Task<int> StartLanesAsync(CancellationToken ct) => (await StartLanesAsync(time.GetUtcNow() + LaneHorizon, ct)).Count;

    /// <summary>
    /// Sends until nothing waits that this process could send now (rows waiting for a retry stay),
    /// the background sender's lanes included: unlike the timer invocation, a drain (tests, tools)
    /// returns only when this process is sending nothing.
    /// </summary>
    public async Task DrainAsync(CancellationToken ct)
    {
        while (true)
        {
            await DeliverAsync(DateTimeOffset.MaxValue, ct);
            var busy = IsAnyRunning();
            await WhenLanesIdleAsync();
            if (!busy)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Delivers until nothing waits that this process could start, or until <paramref name="deadline"/>
    /// (reference §1.1): lanes it starts post nothing after the deadline, and while they run it keeps
    /// starting lanes for other webhooks, so a post in flight on a slow webhook holds up no other.
    /// It then waits for its own lanes (a post in flight at the deadline is bounded by
    /// <c>SLACK_TIMEOUT_MS</c>), never for the background sender's. Lanes other instances hold are theirs.
    /// </summary>
    public async Task DeliverAsync(DateTimeOffset deadline, CancellationToken ct)
    {
        var own = new List<Task<int>>();
        while (!shutdown.IsStopping && time.GetUtcNow() < deadline)
        {
            var started = await StartLanesAsync(Min(time.GetUtcNow() + LaneHorizon, deadline), ct);
            own.AddRange(started);
            own.RemoveAll(t => t.IsCompleted);
            if (own.Count == 0)
            {
                return;
            }
            var untilDeadline = deadline - time.GetUtcNow();
            var replan = Task.Delay(untilDeadline < ReplanEvery ? Max(untilDeadline, TimeSpan.Zero) : ReplanEvery, time, ct);
            await Task.WhenAny(own.Append(replan));
        }
        await Task.WhenAll(own);
    }

    /// <summary>Waits until every lane running now has finished (the background sender, as it stops).</summary>
    public async Task WhenLanesIdleAsync()
    {
        Task[] running;
        lock (_lanesLock)
        {
            running = _lanes.Values.ToArray<Task>();
        }
        await Task.WhenAll(running);
    }

    /// <returns>The lanes started, each ending by <paramref name="stopBy"/> (a post in flight then aside).</returns>
    private async Task<List<Task<int>>> StartLanesAsync(DateTimeOffset stopBy, CancellationToken ct)
    {
        var within = stopBy - time.GetUtcNow();
        if (within <= TimeSpan.Zero || shutdown.IsStopping)
        {
            return [];
        }
        await _planning.WaitAsync(ct);
        try
        {
            var taken = await planningPass.TakeAsync(within, IsRunning, ct);
            return taken.Select(lane => StartLane(lane, stopBy)).ToList();
        }
        finally
        {
            _planning.Release();
        }
    }

    private Task<int> StartLane(HeldLane lane, DateTimeOffset stopBy)
    {
        lock (_lanesLock)
        {
            var running = RunLaneAsync(lane, stopBy);
            _lanes[lane.WebhookId] = running;
            return running;
        }
    }

    private async Task<int> RunLaneAsync(HeldLane lane, DateTimeOffset stopBy)
    {
        try
        {
            return await runner.RunAsync(lane, stopBy);
        }
        catch (Exception e)
        {
            // Claimed rows stay leased and are tried again once their lease runs out.
            DeliveryLog.LaneStopped(logger, e, lane.Name);
            return 0;
        }
        finally
        {
            lock (_lanesLock)
            {
                _lanes.Remove(lane.WebhookId);
            }
            signal.Notify();
        }
    }

    private bool IsAnyRunning()
    {
        lock (_lanesLock)
        {
            return _lanes.Count > 0;
        }
    }

    private bool IsRunning(string webhookId)
    {
        lock (_lanesLock)
        {
            return _lanes.ContainsKey(webhookId);
        }
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
