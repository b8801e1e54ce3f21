using EscalationFunctions.Engine.Configuration;
using Npgsql;
using NpgsqlTypes;

namespace EscalationFunctions.Engine.Notifications;

/// <summary>
/// Runs <see cref="OutboxSql"/> and <see cref="WebhookLaneSql"/> for the sender. Outcomes are
/// recorded even while shutting down (losing one would repeat or strand a page), and every statement
/// goes through at most <see cref="MaxConcurrent"/> connections.
/// </summary>
public sealed class OutboxStore(NpgsqlDataSource db, EscalationSettings settings)
{
    /// <summary>
    /// Unbounded, a burst of lanes (one per webhook, all posting in the same second) needs a connection
    /// each: with 100 webhooks the first round of outcomes waited over a second for ~100 new server
    /// connections. A statement takes milliseconds, so a few at a time keep up with every lane posting
    /// once a second.
    /// </summary>
    private const int MaxConcurrent = 6;

    private readonly SemaphoreSlim _gate = new(MaxConcurrent, MaxConcurrent);

    public Task<List<string>> WaitingRoutesAsync(CancellationToken ct) => RunAsync(OutboxSql.WaitingRoutes, _ => { }, async r =>
    {
        var routes = new List<string>();
        while (await r.ReadAsync(ct))
        {
            routes.Add(r.GetString(0));
        }
        return routes;
    }, ct);

    public Task<List<OutboxNotification>> ClaimNextAsync(IReadOnlyList<string> routes, DeliveryLease lease, int digestThreshold, int digestMax, CancellationToken ct) =>
        RunAsync(OutboxSql.ClaimNext, p =>
        {
            p.AddWithValue("routes", routes.ToArray());
            p.AddWithValue("lease_seconds", lease.Length.TotalSeconds);
            p.AddWithValue("peek", LanePlanner.Peek(digestThreshold, digestMax));
            p.AddWithValue("digest_threshold", digestThreshold);
            p.AddWithValue("digest_max", digestMax);
        }, async r =>
        {
            var rows = new List<OutboxNotification>();
            while (await r.ReadAsync(ct))
            {
                rows.Add(new OutboxNotification(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetInt32(3),
                    r.GetString(4), r.GetString(5), r.GetString(6), r.GetInt32(7)));
            }
            return rows.OrderBy(n => n.Id).ToList();
        }, ct);

    public Task ExtendLeasesAsync(long[] ids, DeliveryLease lease) => ExecuteAsync(OutboxSql.ExtendLeases, p =>
    {
        p.AddWithValue("ids", ids);
        p.AddWithValue("lease_seconds", lease.Length.TotalSeconds);
    });

    public Task MarkSentAsync(long[] ids) => ExecuteAsync(OutboxSql.MarkSent, p => p.AddWithValue("ids", ids));

    public Task MarkDeadAsync(long[] ids, string reason) => ExecuteAsync(OutboxSql.MarkDead, p =>
    {
        p.AddWithValue("ids", ids);
        p.AddWithValue("error", reason);
    });

    /// <summary>Records a failed attempt; returns the ids that are now dead (their attempts used up).</summary>
    public Task<List<long>> MarkFailedAsync(long[] ids, TimeSpan retryIn, string error) => RunAsync(OutboxSql.MarkFailed, p =>
    {
        p.AddWithValue("ids", ids);
        p.AddWithValue("max_attempts", settings.Slack.MaxAttempts);
        p.AddWithValue("retry_seconds", retryIn.TotalSeconds);
        p.AddWithValue("error", error);
    }, async r =>
    {
        var dead = new List<long>();
        while (await r.ReadAsync(CancellationToken.None))
        {
            if (r.GetString(1) == "dead")
            {
                dead.Add(r.GetInt64(0));
            }
        }
        return dead;
    }, CancellationToken.None);

    public Task ReleaseAsync(long[] ids, string? error) => ids.Length == 0 ? Task.CompletedTask : ExecuteAsync(OutboxSql.Release, p =>
    {
        p.AddWithValue("ids", ids);
        p.Add(new NpgsqlParameter("error", NpgsqlDbType.Text) { Value = (object?)error ?? DBNull.Value });
    });

    // ---- lanes ----------------------------------------------------------------------------

    /// <summary>Takes the lanes no live holder has that are free within <paramref name="within"/>; returns those taken with the wait before their first post.</summary>
    public Task<List<(string WebhookId, Guid Token, TimeSpan FirstWait)>> AcquireLanesAsync(
        IReadOnlyList<string> webhookIds, TimeSpan within, DeliveryLease lease, CancellationToken ct) =>
        RunAsync(WebhookLaneSql.Acquire, p =>
        {
            p.AddWithValue("webhook_ids", webhookIds.ToArray());
            p.AddWithValue("tokens", webhookIds.Select(_ => Guid.NewGuid()).ToArray());
            p.AddWithValue("lease_seconds", lease.Length.TotalSeconds);
            p.AddWithValue("within_seconds", within.TotalSeconds);
        }, async r =>
        {
            var taken = new List<(string, Guid, TimeSpan)>();
            while (await r.ReadAsync(ct))
            {
                taken.Add((r.GetString(0), r.GetGuid(1), TimeSpan.FromSeconds(r.GetDouble(2))));
            }
            return taken;
        }, ct);

    /// <summary>Holds the webhook for <paramref name="hold"/> from now and renews the lane; null when the lane is lost.</summary>
    public Task<TimeSpan?> AnsweredAsync(LaneTicket lane, TimeSpan hold, DeliveryLease lease) => RunAsync(WebhookLaneSql.Answered, p =>
    {
        AddLane(p, lane);
        p.AddWithValue("hold_seconds", hold.TotalSeconds);
        p.AddWithValue("lease_seconds", lease.Length.TotalSeconds);
    }, async r => await r.ReadAsync(CancellationToken.None) ? TimeSpan.FromSeconds(r.GetDouble(0)) : (TimeSpan?)null, CancellationToken.None);

    /// <summary>Renews the lane; false when it is no longer this holder's.</summary>
    public Task<bool> ExtendLaneAsync(LaneTicket lane, DeliveryLease lease) => RunAsync(WebhookLaneSql.Extend, p =>
    {
        AddLane(p, lane);
        p.AddWithValue("lease_seconds", lease.Length.TotalSeconds);
    }, r => r.ReadAsync(CancellationToken.None), CancellationToken.None);

    public Task ReleaseLaneAsync(LaneTicket lane) => ExecuteAsync(WebhookLaneSql.Release, p => AddLane(p, lane));

    private static void AddLane(NpgsqlParameterCollection p, LaneTicket lane)
    {
        p.AddWithValue("webhook_id", lane.WebhookId);
        p.AddWithValue("token", lane.Token);
    }

    // ---- plumbing -------------------------------------------------------------------------

    private Task ExecuteAsync(string sql, Action<NpgsqlParameterCollection> parameters) =>
        RunAsync(sql, parameters, _ => Task.FromResult(0), CancellationToken.None);

    private async Task<T> RunAsync<T>(string sql, Action<NpgsqlParameterCollection> parameters, Func<NpgsqlDataReader, Task<T>> read, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            await using var cmd = db.CreateCommand(sql);
            parameters(cmd.Parameters);
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            return await read(reader);
        }
        finally
        {
            _gate.Release();
        }
    }
}
