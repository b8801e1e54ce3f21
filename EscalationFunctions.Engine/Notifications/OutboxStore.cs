using EscalationFunctions.Engine.Configuration;
using EscalationFunctions.Engine.Security;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace EscalationFunctions.Engine.Notifications;

/// <summary>
/// Runs <see cref="OutboxSql"/> for the sender. Outcomes are recorded even while shutting down
/// (losing one would repeat or strand a page). Pages whose incident no longer pages are set aside
/// as <c>superseded</c> (spec §5.6), at claim time and again right before the post, with one
/// Information line per batch: that is the system working, not a failure.
/// </summary>
public sealed class OutboxStore(DeliveryConnections db, EscalationSettings settings, ILogger<OutboxStore> logger)
{
    /// <summary>
    /// At most this many closed rows of one lane are set aside by one claim, so that a claim after a
    /// mass acknowledgement stays a short statement; the rest go with the next claims (until then the
    /// claim passes over them, as over every closed row).
    /// </summary>
    internal const int MaxSupersededPerRoute = 1_000;

    /// <summary>Incidents named in a supersede line; the count says how many more there were.</summary>
    internal const int IncidentsShown = 5;

    /// <summary>Each named incident key is cut to this (it is another system's text, spec §6.1).</summary>
    internal const int IncidentKeyShown = 100;

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
    /// Waiting rows of acknowledged or resolved incidents are superseded by the same statement and
    /// never returned.
    /// </summary>
    public async Task<Dictionary<string, List<OutboxNotification>>> ClaimNextAsync(
        IReadOnlyList<PlannedLane> lanes, DeliveryLease lease, int digestThreshold, int digestMax, CancellationToken ct)
    {
        var rows = await db.RunAsync(OutboxSql.ClaimNext, p =>
        {
            p.AddWithValue("lane_ids", lanes.SelectMany(l => l.Routes.Select(_ => l.WebhookId)).ToArray());
            p.AddWithValue("routes", lanes.SelectMany(l => l.Routes).ToArray());
            p.AddWithValue("lease_seconds", lease.Length.TotalSeconds);
            p.AddWithValue("peek", LanePlanner.Peek(digestThreshold, digestMax));
            p.AddWithValue("digest_threshold", digestThreshold);
            p.AddWithValue("digest_max", digestMax);
            p.AddWithValue("supersede_max", MaxSupersededPerRoute);
        }, async r =>
        {
            var rows = new List<(string Lane, OutboxNotification Row, bool Superseded)>();
            while (await r.ReadAsync(ct))
            {
                rows.Add((r.GetString(0), new OutboxNotification(r.GetInt64(1), r.GetString(2), r.GetString(3), r.GetInt32(4),
                    r.GetString(5), r.GetString(6), r.GetString(7), r.GetInt32(8)), r.GetBoolean(9)));
            }
            return rows;
        }, ct);
        LogSuperseded(rows.Where(x => x.Superseded).Select(x => x.Row).ToList(), "when claimed");
        return rows.Where(x => !x.Superseded)
            .GroupBy(x => x.Lane)
            .ToDictionary(g => g.Key, g => g.Select(x => x.Row).OrderBy(n => n.Id).ToList());
    }

    /// <summary>
    /// Right before a post (spec §5.6): supersedes the claimed <paramref name="rows"/> whose incident
    /// was acknowledged or resolved since they were claimed (<see cref="OutboxSql.SupersedeClosed"/>);
    /// returns the rest, in order, to be posted (none: nothing is posted). Recorded even while
    /// shutting down, like every outcome.
    /// </summary>
    public async Task<IReadOnlyList<OutboxNotification>> SupersedeClosedAsync(IReadOnlyList<OutboxNotification> rows)
    {
        if (rows.Count == 0)
        {
            return rows;
        }
        var superseded = await db.RunAsync(OutboxSql.SupersedeClosed, p => p.AddWithValue("ids", rows.Select(r => r.Id).ToArray()), async r =>
        {
            var ids = new HashSet<long>();
            while (await r.ReadAsync(CancellationToken.None))
            {
                ids.Add(r.GetInt64(0));
            }
            return ids;
        }, CancellationToken.None);
        if (superseded.Count == 0)
        {
            return rows;
        }
        LogSuperseded(rows.Where(r => superseded.Contains(r.Id)).ToList(), "right before their post");
        return rows.Where(r => !superseded.Contains(r.Id)).ToList();
    }

    private void LogSuperseded(IReadOnlyList<OutboxNotification> rows, string when)
    {
        if (rows.Count == 0)
        {
            return;
        }
        var keys = rows.Select(r => r.IncidentKey).Distinct(StringComparer.Ordinal).ToList();
        var shown = string.Join(", ", keys.Take(IncidentsShown).Select(k => UntrustedText.Escape(k, IncidentKeyShown)));
        var more = keys.Count > IncidentsShown ? $" and {keys.Count - IncidentsShown} more" : "";
        logger.LogInformation(
            "Slack: {Count} page(s) superseded {When}, not posted: their incident was acknowledged or resolved after they were queued ({Incidents}{More})",
            rows.Count, when, shown, more);
    }

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
