using EscalationFunctions.Engine.Data;
using EscalationFunctions.Engine.Settings;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace EscalationFunctions.Engine.Slack.Outbox;

/// <summary>
/// Runs <see cref="OutboxOutcomeSql"/> and the lease renewal of <see cref="OutboxLeaseSql"/> for the sender: what became
/// of each claimed row. Outcomes are recorded even while shutting down (losing one would repeat or strand a page).
/// </summary>
public sealed class OutboxOutcomes(DeliveryDatabaseGate db, EscalationSettings settings, ILogger<OutboxOutcomes> logger)
{
    /// <summary>
    /// As a post is about to start (<see cref="OutboxOutcomeSql.StartPosts"/>): counts the attempt of the claimed
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
        var started = await db.RunAsync(OutboxOutcomeSql.StartPosts, p =>
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
            OutboxLog.SpentWithoutOutcome(logger, spent.Count, spentError, OutboxIncidentList.Of(spent));
        }
        return rows.Where(r => started.TryGetValue(r.Id, out var s) && s.Status == "pending")
            .Select(r => r with { Attempts = started[r.Id].Attempts })
            .ToList();
    }

    public Task ExtendLeasesAsync(long[] ids, DeliveryLease lease) => db.ExecuteAsync(OutboxLeaseSql.ExtendLeases, p =>
    {
        p.AddWithValue("ids", ids);
        p.AddWithValue("lease_seconds", lease.Length.TotalSeconds);
    });

    public Task MarkSentAsync(long[] ids) => db.ExecuteAsync(OutboxOutcomeSql.MarkSent, p => p.AddWithValue("ids", ids));

    public Task MarkDeadAsync(long[] ids, string reason) => db.ExecuteAsync(OutboxOutcomeSql.MarkDead, p =>
    {
        p.AddWithValue("ids", ids);
        p.AddWithValue("error", reason);
    });

    /// <summary>Records a failed attempt; returns the ids that are now dead (their attempts used up).</summary>
    public Task<List<long>> MarkFailedAsync(long[] ids, TimeSpan retryIn, string error) => db.RunAsync(OutboxOutcomeSql.MarkFailed, p =>
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
    public Task ReleaseAsync(long[] ids, string? error, bool giveBackAttempt) => ids.Length == 0 ? Task.CompletedTask : db.ExecuteAsync(OutboxOutcomeSql.Release, p =>
    {
        p.AddWithValue("ids", ids);
        p.AddWithValue("give_back", giveBackAttempt);
        p.Add(new NpgsqlParameter("error", NpgsqlDbType.Text) { Value = (object?)error ?? DBNull.Value });
    });
}
