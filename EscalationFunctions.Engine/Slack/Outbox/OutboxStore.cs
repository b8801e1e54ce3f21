using EscalationFunctions.Engine.Data;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace EscalationFunctions.Engine.Slack.Outbox;

/// <summary>
/// Runs <see cref="OutboxClaimSql"/> and the supersede check of <see cref="OutboxLeaseSql"/> for the sender; <see cref="OutboxOutcomes"/>
/// records what became of the rows. Pages whose incident no longer pages are set aside
/// as <c>superseded</c> (reference §5.6), at claim time and again right before the post, with one
/// Information line per batch: that is the system working, not a failure.
/// </summary>
public sealed class OutboxStore(DeliveryDatabaseGate db, ILogger<OutboxStore> logger)
{
    /// <summary>
    /// At most this many closed rows of one lane are set aside by one claim, so that a claim after a
    /// mass acknowledgement stays a short statement; the rest go with the next claims (until then the
    /// claim passes over them, as over every closed row).
    /// </summary>
    internal const int MaxSupersededPerRoute = 1_000;

    /// <summary>Where the messages that may be sent now go (<see cref="OutboxClaimSql.WaitingDestinations"/>).</summary>
    public Task<List<WaitingDestination>> WaitingDestinationsAsync(CancellationToken ct) => db.RunAsync(OutboxClaimSql.WaitingDestinations, _ => { }, async r =>
    {
        var waiting = new List<WaitingDestination>();
        while (await r.ReadAsync(ct))
        {
            waiting.Add(new WaitingDestination(OutgoingKinds.Parse(r.GetString(0)), r.IsDBNull(1) ? null : r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2)));
        }
        return waiting;
    }, ct);

    /// <summary>
    /// Queues the answer to a Slack click in the click's transaction (<see cref="OutboxOutcomeSql.QueueClickAnswer"/>);
    /// it expires with the response_url. Returns its id.
    /// </summary>
    public static async Task<long> QueueClickAnswerAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string incidentKey, Uri responseUrl, string body,
        TimeSpan lifetime, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(OutboxOutcomeSql.QueueClickAnswer, conn, tx);
        cmd.Parameters.AddWithValue("incident_key", incidentKey);
        cmd.Parameters.AddWithValue("destination", responseUrl.OriginalString);
        cmd.Parameters.AddWithValue("body", body);
        cmd.Parameters.AddWithValue("lifetime_seconds", lifetime.TotalSeconds);
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>
    /// Claims the next message(s) of every lane in one statement (<see cref="OutboxClaimSql.ClaimNext"/>);
    /// returns each lane's rows, oldest first, by webhook id (a lane with nothing to send is absent).
    /// Waiting rows of acknowledged or resolved incidents are superseded by the same statement and
    /// never returned.
    /// </summary>
    public async Task<Dictionary<string, List<OutboxNotification>>> ClaimNextAsync(
        IReadOnlyList<PlannedLane> lanes, DeliveryLease lease, int digestThreshold, int digestMax, CancellationToken ct)
    {
        var answerLanes = lanes.Where(l => l.Kind == OutgoingKind.ClickAnswer).ToList();
        var pageLanes = lanes.Where(l => l.Kind == OutgoingKind.Page).ToList();
        var channelLanes = pageLanes.Where(l => l.Channel is not null).ToList();
        var rows = await db.RunAsync(OutboxClaimSql.ClaimNext, p =>
        {
            p.AddWithValue("lane_ids", pageLanes.SelectMany(l => l.Routes.Select(_ => l.WebhookId)).ToArray());
            p.AddWithValue("routes", pageLanes.SelectMany(l => l.Routes).ToArray());
            p.AddWithValue("answer_lane_ids", answerLanes.Select(l => l.WebhookId).ToArray());
            p.AddWithValue("destinations", answerLanes.Select(l => l.Destination!).ToArray());
            p.AddWithValue("update_lane_ids", channelLanes.Select(l => l.WebhookId).ToArray());
            p.AddWithValue("channels", channelLanes.Select(l => l.Channel!).ToArray());
            p.AddWithValue("lease_seconds", lease.Length.TotalSeconds);
            p.AddWithValue("peek", ClaimPeek.For(digestThreshold, digestMax));
            p.AddWithValue("digest_threshold", digestThreshold);
            p.AddWithValue("digest_max", digestMax);
            p.AddWithValue("supersede_max", MaxSupersededPerRoute);
        }, async r =>
        {
            var rows = new List<(string Lane, OutboxNotification Row, bool Superseded)>();
            while (await r.ReadAsync(ct))
            {
                rows.Add((r.GetString(0), ReadClaimed(r, 1), r.GetBoolean(12)));
            }
            return rows;
        }, ct);
        LogSuperseded(rows.Where(x => x.Superseded).Select(x => x.Row).ToList(), "when claimed");
        return rows.Where(x => !x.Superseded)
            .GroupBy(x => x.Lane)
            .ToDictionary(g => g.Key, g => g.Select(x => x.Row).OrderBy(n => n.Id).ToList());
    }

    /// <summary>
    /// Right before a post (reference §5.6): supersedes the <paramref name="rows"/> about to be posted whose
    /// incident was acknowledged or resolved since they were claimed (<see cref="OutboxLeaseSql.SupersedeClosed"/>);
    /// returns the rest, in order, to be posted (none: nothing is posted). Recorded even while
    /// shutting down, like every outcome.
    /// </summary>
    public async Task<IReadOnlyList<OutboxNotification>> SupersedeClosedAsync(IReadOnlyList<OutboxNotification> rows)
    {
        if (rows.Count == 0)
        {
            return rows;
        }
        var superseded = await db.RunBeforePostAsync(OutboxLeaseSql.SupersedeClosed, p => p.AddWithValue("ids", rows.Select(r => r.Id).ToArray()), async r =>
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

    private static OutboxNotification ReadClaimed(NpgsqlDataReader r, int from)
    {
        var id = r.GetInt64(from);
        var kind = OutgoingKinds.Parse(r.GetString(from + 1));
        var attempts = r.GetInt32(from + 8);
        return kind == OutgoingKind.ClickAnswer ? OutboxNotification.ClickAnswer(id, r.GetString(from + 3), attempts, r.GetString(from + 9))
            : kind == OutgoingKind.MessageUpdate ? OutboxNotification.MessageUpdate(id, r.GetString(from + 3), attempts, r.GetInt64(from + 10))
            : new OutboxNotification(id, r.GetString(from + 2), r.GetString(from + 3), r.GetInt32(from + 4), r.GetString(from + 5),
                r.GetString(from + 6), r.GetString(from + 7), attempts);
    }

    private void LogSuperseded(List<OutboxNotification> rows, string when)
    {
        if (rows.Count == 0)
        {
            return;
        }
        OutboxLog.Superseded(logger, rows.Count, when, OutboxIncidentList.Of(rows));
    }
}
