using EscalationFunctions.Engine.Configuration;
using Npgsql;
using NpgsqlTypes;

namespace EscalationFunctions.Engine.Notifications;

/// <summary>
/// Runs <see cref="OutboxSql"/> for the sender. Outcomes are recorded even while shutting down
/// (losing one would repeat or strand a page).
/// </summary>
public sealed class OutboxStore(DeliveryConnections db, EscalationSettings settings)
{
    public Task<List<string>> WaitingRoutesAsync(CancellationToken ct) => db.RunAsync(OutboxSql.WaitingRoutes, _ => { }, async r =>
    {
        var routes = new List<string>();
        while (await r.ReadAsync(ct))
        {
            routes.Add(r.GetString(0));
        }
        return routes;
    }, ct);

    /// <summary>
    /// Claims the next message(s) of every lane in one statement (<see cref="OutboxSql.ClaimNext"/>);
    /// returns each lane's rows, oldest first, by webhook id (a lane with nothing to send is absent).
    /// </summary>
    public Task<Dictionary<string, List<OutboxNotification>>> ClaimNextAsync(
        IReadOnlyList<PlannedLane> lanes, DeliveryLease lease, int digestThreshold, int digestMax, CancellationToken ct) =>
        db.RunAsync(OutboxSql.ClaimNext, p =>
        {
            p.AddWithValue("lane_ids", lanes.SelectMany(l => l.Routes.Select(_ => l.WebhookId)).ToArray());
            p.AddWithValue("routes", lanes.SelectMany(l => l.Routes).ToArray());
            p.AddWithValue("lease_seconds", lease.Length.TotalSeconds);
            p.AddWithValue("peek", LanePlanner.Peek(digestThreshold, digestMax));
            p.AddWithValue("digest_threshold", digestThreshold);
            p.AddWithValue("digest_max", digestMax);
        }, async r =>
        {
            var rows = new List<(string Lane, OutboxNotification Row)>();
            while (await r.ReadAsync(ct))
            {
                rows.Add((r.GetString(0), new OutboxNotification(r.GetInt64(1), r.GetString(2), r.GetString(3), r.GetInt32(4),
                    r.GetString(5), r.GetString(6), r.GetString(7), r.GetInt32(8))));
            }
            return rows.GroupBy(x => x.Lane).ToDictionary(g => g.Key, g => g.Select(x => x.Row).OrderBy(n => n.Id).ToList());
        }, ct);

    public Task ExtendLeasesAsync(long[] ids, DeliveryLease lease) => db.ExecuteAsync(OutboxSql.ExtendLeases, p =>
    {
        p.AddWithValue("ids", ids);
        p.AddWithValue("lease_seconds", lease.Length.TotalSeconds);
    });

    public Task MarkSentAsync(long[] ids) => db.ExecuteAsync(OutboxSql.MarkSent, p => p.AddWithValue("ids", ids));

    public Task MarkDeadAsync(long[] ids, string reason) => db.ExecuteAsync(OutboxSql.MarkDead, p =>
    {
        p.AddWithValue("ids", ids);
        p.AddWithValue("error", reason);
    });

    /// <summary>Records a failed attempt; returns the ids that are now dead (their attempts used up).</summary>
    public Task<List<long>> MarkFailedAsync(long[] ids, TimeSpan retryIn, string error) => db.RunAsync(OutboxSql.MarkFailed, p =>
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

    public Task ReleaseAsync(long[] ids, string? error) => ids.Length == 0 ? Task.CompletedTask : db.ExecuteAsync(OutboxSql.Release, p =>
    {
        p.AddWithValue("ids", ids);
        p.Add(new NpgsqlParameter("error", NpgsqlDbType.Text) { Value = (object?)error ?? DBNull.Value });
    });
}
