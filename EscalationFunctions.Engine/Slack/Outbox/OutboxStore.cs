using EscalationFunctions.Engine.Data;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Engine.Slack.Delivery;
using EscalationFunctions.Engine.Untrusted;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace EscalationFunctions.Engine.Slack.Outbox;

/// <summary>
/// Runs <see cref="OutboxSql"/> for the sender. Outcomes are recorded even while shutting down
/// (losing one would repeat or strand a page). Pages whose incident no longer pages are set aside
/// as <c>superseded</c> (reference §5.6), at claim time and again right before the post, with one
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

    /// <summary>Each named incident key is cut to this (it is another system's text, reference §6.1).</summary>
    internal const int IncidentKeyShown = 100;

    /// <summary>Where the messages that may be sent now go (<see cref="OutboxSql.WaitingDestinations"/>).</summary>
    public Task<List<WaitingDestination>> WaitingDestinationsAsync(CancellationToken ct) => db.RunAsync(OutboxSql.WaitingDestinations, _ => { }, async r =>
    {
        var waiting = new List<WaitingDestination>();
        while (await r.ReadAsync(ct))
        {
            waiting.Add(new WaitingDestination(OutgoingKinds.Parse(r.GetString(0)), r.IsDBNull(1) ? null : r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2)));
        }
        return waiting;
    }, ct);

    /// <summary>
    /// Queues the answer to a Slack click in the click's transaction (<see cref="OutboxSql.QueueClickAnswer"/>);
    /// it expires with the response_url. Returns its id.
    /// </summary>
    public static async Task<long> QueueClickAnswerAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string incidentKey, Uri responseUrl, string body,
        TimeSpan lifetime, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(OutboxSql.QueueClickAnswer, conn, tx);
        cmd.Parameters.AddWithValue("incident_key", incidentKey);
        cmd.Parameters.AddWithValue("destination", responseUrl.OriginalString);
        cmd.Parameters.AddWithValue("body", body);
        cmd.Parameters.AddWithValue("lifetime_seconds", lifetime.TotalSeconds);
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>
    /// Claims the next message(s) of every lane in one statement (<see cref="OutboxSql.ClaimNext"/>);
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
        var rows = await db.RunAsync(OutboxSql.ClaimNext, p =>
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
    /// As a post is about to start (<see cref="OutboxSql.StartPosts"/>): counts the attempt of the claimed
    /// <paramref name="rows"/>, and dead-letters those whose every post so far ended with its sender.
    /// Returns the rest, in order and with their attempts. Recorded even while shutting down, like every outcome.
    /// </summary>
    public async Task<IReadOnlyList<OutboxNotification>> StartPostsAsync(IReadOnlyList<OutboxNotification> rows)
    {
        if (rows.Count == 0)
        {
            return rows;
        }
        var spentError = $"{settings.Slack.MaxAttempts} posts started and none recorded an outcome (each sender stopped during its post)";
        var started = await db.RunAsync(OutboxSql.StartPosts, p =>
        {
            p.AddWithValue("ids", rows.Select(r => r.Id).ToArray());
            p.AddWithValue("max_attempts", settings.Slack.MaxAttempts);
            p.AddWithValue("spent_error", spentError);
        }, async r =>
        {
            var byId = new Dictionary<long, (string Status, int Attempts)>();
            while (await r.ReadAsync(CancellationToken.None))
            {
                byId[r.GetInt64(0)] = (r.GetString(1), r.GetInt32(2));
            }
            return byId;
        }, CancellationToken.None);
        var spent = rows.Where(r => started.TryGetValue(r.Id, out var s) && s.Status == "dead").ToList();
        if (spent.Count > 0)
        {
            logger.LogError("Slack: {Count} message(s) dead-lettered, not posted again: {Error} ({Incidents})",
                spent.Count, spentError, IncidentsOf(spent));
        }
        return rows.Where(r => started.TryGetValue(r.Id, out var s) && s.Status == "pending")
            .Select(r => r with { Attempts = started[r.Id].Attempts })
            .ToList();
    }

    /// <summary>
    /// Right before a post (reference §5.6): supersedes the <paramref name="rows"/> about to be posted whose
    /// incident was acknowledged or resolved since they were claimed (<see cref="OutboxSql.SupersedeClosed"/>);
    /// returns the rest, in order, to be posted (none: nothing is posted). Recorded even while
    /// shutting down, like every outcome.
    /// </summary>
    public async Task<IReadOnlyList<OutboxNotification>> SupersedeClosedAsync(IReadOnlyList<OutboxNotification> rows)
    {
        if (rows.Count == 0)
        {
            return rows;
        }
        var superseded = await db.RunBeforePostAsync(OutboxSql.SupersedeClosed, p => p.AddWithValue("ids", rows.Select(r => r.Id).ToArray()), async r =>
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

    private void LogSuperseded(IReadOnlyList<OutboxNotification> rows, string when)
    {
        if (rows.Count == 0)
        {
            return;
        }
        logger.LogInformation(
            "Slack: {Count} page(s) superseded {When}, not posted: their incident was acknowledged or resolved after they were queued ({Incidents})",
            rows.Count, when, IncidentsOf(rows));
    }

    /// <summary>The incidents of <paramref name="rows"/> for one log line: the first few, escaped and cut, and how many more.</summary>
    private static string IncidentsOf(IReadOnlyList<OutboxNotification> rows)
    {
        var keys = rows.Select(r => r.IncidentKey).Distinct(StringComparer.Ordinal).ToList();
        var shown = string.Join(", ", keys.Take(IncidentsShown).Select(k => UntrustedText.Escape(k, IncidentKeyShown)));
        return keys.Count > IncidentsShown ? $"{shown} and {keys.Count - IncidentsShown} more" : shown;
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

    /// <param name="giveBackAttempt">True after a 429: the post started (its attempt was counted) but no attempt was used.</param>
    public Task ReleaseAsync(long[] ids, string? error, bool giveBackAttempt) => ids.Length == 0 ? Task.CompletedTask : db.ExecuteAsync(OutboxSql.Release, p =>
    {
        p.AddWithValue("ids", ids);
        p.AddWithValue("give_back", giveBackAttempt);
        p.Add(new NpgsqlParameter("error", NpgsqlDbType.Text) { Value = (object?)error ?? DBNull.Value });
    });
}
