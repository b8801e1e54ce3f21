using EscalationFunctions.Engine.Configuration;
using EscalationFunctions.Engine.Telemetry;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace EscalationFunctions.Engine.Notifications;

/// <summary>
/// Delivers the outbox to Slack after the tick has committed (spec §4.2, §5).
/// <para>
/// Each call to <see cref="StartLanesAsync"/> plans a "lane" per webhook that has due rows and no
/// lane running: as many rows as the webhook's pace allows within <see cref="LaneHorizon"/>. The
/// rows are leased in one statement, then the lanes run in parallel, each posting in order and
/// recording each outcome as soon as it is known, so a crash repeats at most the post in flight.
/// A lane stops at its first failure and hands its remaining rows back, so a failing or slow
/// webhook holds up only itself. Retry timing lives on the row (<c>next_attempt_at</c>), never in a
/// sleep, and survives restarts.
/// </para>
/// </summary>
public sealed class NotificationDispatcher(
    NpgsqlDataSource db,
    EscalationSettings settings,
    SlackWebhookDirectory webhooks,
    ISlackTransport transport,
    SlackMessageComposer composer,
    WebhookPacer pacer,
    OutboxSignal signal,
    IMetricSink metrics,
    TimeProvider time,
    ILogger<NotificationDispatcher> logger)
{
    /// <summary>How far ahead one lane is planned; bounds a lane's length and its lease.</summary>
    public static readonly TimeSpan LaneHorizon = TimeSpan.FromSeconds(10);

    private const int MaxLaneSize = 100;
    private const int CandidateLimit = 2_000;

    /// <summary>
    /// Lanes record their outcomes through at most this many connections at once. Unbounded, a burst
    /// of lanes (one per webhook, all posting in the same second) needs a connection each: with 100
    /// webhooks the first round of outcomes waited over a second for ~100 new server connections, and
    /// the next post of each lane with it. A write takes milliseconds, so a few at a time keep up
    /// with every lane posting once a second, and the sender never needs more than a few connections.
    /// </summary>
    private const int MaxConcurrentWrites = 4;

    private readonly SemaphoreSlim _writes = new(MaxConcurrentWrites, MaxConcurrentWrites);

    private readonly Dictionary<string, Task> _lanes = new();
    private readonly Lock _lanesLock = new();

    private TimeSpan Interval => transport.IsRateLimited ? pacer.Interval : TimeSpan.Zero;

    /// <summary>
    /// One planning pass at a time in this process. A pass claims its rows before it registers their
    /// lanes; a second pass running meanwhile (the background sender and a <see cref="DrainAsync"/>)
    /// would see those rows leased and no lane for them, and a drain would return while they were
    /// still to be posted.
    /// </summary>
    private readonly SemaphoreSlim _planning = new(1, 1);

    /// <summary>Starts lanes for every webhook with due rows and no lane running; returns the rows claimed.</summary>
    public async Task<int> StartLanesAsync(CancellationToken ct)
    {
        await _planning.WaitAsync(ct);
        try
        {
            return await PlanLanesAsync(ct);
        }
        finally
        {
            _planning.Release();
        }
    }

    private async Task<int> PlanLanesAsync(CancellationToken ct)
    {
        var table = await webhooks.CurrentAsync(ct);
        var candidates = await ReadCandidatesAsync(ct);
        if (candidates.Count == 0)
        {
            return 0;
        }

        var planned = new Dictionary<long, SlackWebhook>();
        var leaseSeconds = 0.0;
        foreach (var lane in candidates.GroupBy(c => table.For(c.Route)))
        {
            var capacity = LaneCapacity(lane.Key, out var firstWait);
            if (capacity == 0 || IsRunning(LaneKey(lane.Key)))
            {
                continue;
            }
            var ids = lane.Select(c => c.Id).Take(capacity).ToList();
            ids.ForEach(id => planned[id] = lane.Key);
            var laneSeconds = firstWait.TotalSeconds + (ids.Count * Interval.TotalSeconds) + (2 * settings.Slack.Timeout.TotalSeconds) + 10;
            leaseSeconds = Math.Max(leaseSeconds, laneSeconds);
        }
        if (planned.Count == 0)
        {
            return 0;
        }

        var claimed = await ClaimAsync(planned.Keys.ToArray(), leaseSeconds, ct);
        foreach (var lane in claimed.GroupBy(n => planned[n.Id]))
        {
            StartLane(lane.Key, lane.OrderBy(n => n.Id).ToList(), ct);
        }
        return claimed.Count;
    }

    /// <summary>Waits until every running lane has finished.</summary>
    public async Task WhenLanesIdleAsync()
    {
        Task[] running;
        lock (_lanesLock)
        {
            running = _lanes.Values.ToArray();
        }
        await Task.WhenAll(running);
    }

    /// <summary>Sends until nothing is due now (rows waiting for a retry stay); returns the rows claimed.</summary>
    public async Task<int> DrainAsync(CancellationToken ct)
    {
        var total = 0;
        while (true)
        {
            var claimed = await StartLanesAsync(ct);
            await WhenLanesIdleAsync();
            total += claimed;
            if (claimed == 0)
            {
                return total;
            }
        }
    }

    private void StartLane(SlackWebhook webhook, List<OutboxNotification> rows, CancellationToken ct)
    {
        var key = LaneKey(webhook);
        lock (_lanesLock)
        {
            _lanes[key] = RunLaneAsync(webhook, rows, ct).ContinueWith(done =>
            {
                lock (_lanesLock)
                {
                    _lanes.Remove(key);
                }
                if (done.Exception is { } e)
                {
                    // Rows stay leased and are tried again once the lease runs out.
                    logger.LogError(e.GetBaseException(), "Slack lane for the {Webhook} webhook stopped", webhook.Label);
                }
                signal.Notify();
            }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private async Task RunLaneAsync(SlackWebhook webhook, List<OutboxNotification> rows, CancellationToken ct)
    {
        await Task.Yield();
        // The webhook this lane paces, or null when posts are not paced (console delivery).
        var paced = Interval > TimeSpan.Zero ? webhook.Url : null;
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            var rest = rows.Skip(i + 1).Select(r => r.Id).ToArray();
            try
            {
                if (paced is not null)
                {
                    await pacer.WaitTurnAsync(paced, ct);
                }
            }
            catch (OperationCanceledException)
            {
                await ReleaseAsync([row.Id, .. rest], TimeSpan.Zero, null);
                return;
            }

            SlackPostResult result;
            try
            {
                result = await transport.PostAsync(webhook, row, await composer.SingleAsync(row, ct), ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // Shutting down mid-post: the outcome is unknown, so this row keeps its lease and is
                // posted again once the lease runs out. The rest were not tried.
                await ReleaseAsync(rest, TimeSpan.Zero, null);
                return;
            }
            if (paced is not null)
            {
                pacer.Answered(paced);
            }

            if (result.Status == SlackPostStatus.Delivered)
            {
                await MarkSentAsync(row.Id);
                continue;
            }

            metrics.Track(MetricNames.SlackSendFailures, 1);
            var retryIn = result.Status == SlackPostStatus.RateLimited
                ? Max(result.RetryAfter ?? TimeSpan.Zero, Interval, TimeSpan.FromSeconds(1))
                : RetryBackoff.Delay(row.Attempts, settings.Slack.RetryBase, settings.Slack.MaxRetryDelay, result.RetryAfter);
            if (result.Status == SlackPostStatus.RateLimited)
            {
                if (webhook.Url is not null)
                {
                    pacer.HoldUntil(webhook.Url, time.GetUtcNow() + retryIn);
                }
                logger.LogWarning("Slack {Webhook} webhook rate-limited the message for {IncidentKey} level {Level}; retrying in {RetryMs:F0} ms",
                    webhook.Label, row.IncidentKey, row.Level, retryIn.TotalMilliseconds);
                await ReleaseAsync([row.Id, .. rest], retryIn, result.Error);
                return;
            }

            var status = await MarkFailedAsync(row.Id, retryIn, result.Error!);
            if (status == "dead")
            {
                logger.LogError("Slack message for {IncidentKey} level {Level} to the {Webhook} webhook is dead-lettered after {Attempts} attempts: {Error}",
                    row.IncidentKey, row.Level, webhook.Label, row.Attempts, result.Error);
            }
            else
            {
                logger.LogWarning("Slack message for {IncidentKey} level {Level} to the {Webhook} webhook failed (attempt {Attempt} of {MaxAttempts}): {Error}; retrying in {RetryMs:F0} ms",
                    row.IncidentKey, row.Level, webhook.Label, row.Attempts, settings.Slack.MaxAttempts, result.Error, retryIn.TotalMilliseconds);
            }
            await ReleaseAsync(rest, retryIn, null);
            return;
        }
    }

    private int LaneCapacity(SlackWebhook webhook, out TimeSpan firstWait)
    {
        firstWait = webhook.Url is null || Interval == TimeSpan.Zero ? TimeSpan.Zero : pacer.WaitBeforeNext(webhook.Url);
        if (Interval == TimeSpan.Zero)
        {
            return MaxLaneSize;
        }
        if (firstWait >= LaneHorizon)
        {
            return 0;
        }
        return (int)Math.Min(MaxLaneSize, 1 + Math.Floor((LaneHorizon - firstWait) / Interval));
    }

    private bool IsRunning(string laneKey)
    {
        lock (_lanesLock)
        {
            return _lanes.ContainsKey(laneKey);
        }
    }

    private static string LaneKey(SlackWebhook webhook) => webhook.Url?.AbsoluteUri ?? "(none)";

    private static TimeSpan Max(params TimeSpan[] values) => values.Max();

    // ---- SQL ------------------------------------------------------------------------------

    private async Task<List<(long Id, string Route)>> ReadCandidatesAsync(CancellationToken ct)
    {
        var lanes = Interval == TimeSpan.Zero ? MaxLaneSize : (int)Math.Min(MaxLaneSize, 1 + Math.Floor(LaneHorizon / Interval));
        await using var cmd = db.CreateCommand(OutboxSql.Candidates);
        cmd.Parameters.AddWithValue("per_route", lanes);
        cmd.Parameters.AddWithValue("limit", CandidateLimit);
        var rows = new List<(long, string)>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows.Add((reader.GetInt64(0), reader.GetString(1)));
        }
        return rows;
    }

    private async Task<List<OutboxNotification>> ClaimAsync(long[] ids, double leaseSeconds, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(OutboxSql.Claim);
        cmd.Parameters.AddWithValue("ids", ids);
        cmd.Parameters.AddWithValue("lease_seconds", leaseSeconds);
        var rows = new List<OutboxNotification>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows.Add(new OutboxNotification(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3),
                reader.GetString(4), reader.GetString(5), reader.GetString(6), reader.GetInt32(7)));
        }
        return rows;
    }

    // Outcomes are recorded even while shutting down: losing one would repeat or strand a page.
    private Task MarkSentAsync(long id) => WriteAsync(async () =>
    {
        await using var cmd = db.CreateCommand(OutboxSql.MarkSent);
        cmd.Parameters.AddWithValue("id", id);
        return await cmd.ExecuteNonQueryAsync(CancellationToken.None);
    });

    private Task<string> MarkFailedAsync(long id, TimeSpan retryIn, string error) => WriteAsync(async () =>
    {
        await using var cmd = db.CreateCommand(OutboxSql.MarkFailed);
        cmd.Parameters.AddWithValue("id", id);
        cmd.Parameters.AddWithValue("max_attempts", settings.Slack.MaxAttempts);
        cmd.Parameters.AddWithValue("retry_seconds", retryIn.TotalSeconds);
        cmd.Parameters.AddWithValue("error", error);
        return (string)(await cmd.ExecuteScalarAsync(CancellationToken.None))!;
    });

    private async Task ReleaseAsync(long[] ids, TimeSpan delay, string? error)
    {
        if (ids.Length == 0)
        {
            return;
        }
        await WriteAsync(async () =>
        {
            await using var cmd = db.CreateCommand(OutboxSql.Release);
            cmd.Parameters.AddWithValue("ids", ids);
            cmd.Parameters.AddWithValue("delay_seconds", delay.TotalSeconds);
            cmd.Parameters.Add(new NpgsqlParameter("error", NpgsqlDbType.Text) { Value = (object?)error ?? DBNull.Value });
            return await cmd.ExecuteNonQueryAsync(CancellationToken.None);
        });
    }

    /// <summary>Runs an outcome write once one of the <see cref="MaxConcurrentWrites"/> slots is free.</summary>
    private async Task<T> WriteAsync<T>(Func<Task<T>> write)
    {
        await _writes.WaitAsync(CancellationToken.None);
        try
        {
            return await write();
        }
        finally
        {
            _writes.Release();
        }
    }
}
