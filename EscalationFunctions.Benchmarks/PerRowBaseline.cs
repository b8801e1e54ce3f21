using System.Diagnostics;
using EscalationFunctions.Engine.Tick;
using Npgsql;

namespace EscalationFunctions.Benchmarks;

/// <summary>
/// The first version's algorithm, kept here only to measure the set-based tick against: select the
/// due rows, then for each incident one <c>INSERT</c> of its event and one <c>UPDATE</c> of the
/// incident, each its own round trip. It is given every advantage a per-row loop can reasonably have,
/// so the ratio errs in its favour: one connection opened before the clock starts, both statements
/// prepared once, autocommit (no BEGIN/COMMIT round trips), the hash computed in-process, and no
/// Slack outbox row and no heartbeat (the engine's tick writes both).
/// </summary>
public static class PerRowBaseline
{
    // The due predicate of reference §4.1 with the default settings (canary 100: every route).
    private const string SelectDue =
        """
        SELECT i.id, i.incident_key, i.escalation_level
        FROM incidents i
        WHERE i.acknowledged_at IS NULL
          AND i.resolved_at IS NULL
          AND i.next_due_at <= now()
          AND i.escalation_level < @max_level
          AND (i.last_escalated_at IS NULL OR i.last_escalated_at <= now() - make_interval(mins => @snooze_min))
        ORDER BY i.next_due_at
        """;

    private const string InsertEvent =
        "INSERT INTO escalation_events (incident_key, level, unique_hash) VALUES (@key, @level, @hash) ON CONFLICT (unique_hash) DO NOTHING";

    private const string RaiseLevel =
        "UPDATE incidents SET escalation_level = @level, last_escalated_at = now() WHERE id = @id";

    /// <summary>Escalates every due incident row by row; returns (elapsed, escalations, round trips).</summary>
    public static async Task<BaselineRun> RunAsync(string connectionString, bool prewarm)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        if (prewarm)
        {
            // The same warm state as the tick's connections (BenchEngine.WarmPoolAsync).
            await using var warm = new NpgsqlCommand(BenchEngine.PrewarmSql + ";" + BenchEngine.TouchSql, conn) { CommandTimeout = 0 };
            await warm.ExecuteNonQueryAsync();
        }

        await using var select = new NpgsqlCommand(SelectDue, conn);
        select.Parameters.AddWithValue("max_level", 7);
        select.Parameters.AddWithValue("snooze_min", 30);

        await using var insert = new NpgsqlCommand(InsertEvent, conn);
        var key = new NpgsqlParameter<string> { ParameterName = "key", TypedValue = "" };
        var level = new NpgsqlParameter<int> { ParameterName = "level", TypedValue = 0 };
        var hash = new NpgsqlParameter<string> { ParameterName = "hash", TypedValue = "" };
        insert.Parameters.Add(key);
        insert.Parameters.Add(level);
        insert.Parameters.Add(hash);

        await using var update = new NpgsqlCommand(RaiseLevel, conn);
        var newLevel = new NpgsqlParameter<int> { ParameterName = "level", TypedValue = 0 };
        var id = new NpgsqlParameter<long> { ParameterName = "id", TypedValue = 0 };
        update.Parameters.Add(newLevel);
        update.Parameters.Add(id);

        await insert.PrepareAsync();
        await update.PrepareAsync();

        var allocatedBefore = ProcessMemory.AllocatedBytes();
        var stopwatch = Stopwatch.StartNew();
        var due = new List<(long Id, string Key, int Level)>();
        await using (var reader = await select.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                due.Add((reader.GetInt64(0), reader.GetString(1), reader.GetInt32(2)));
            }
        }

        var recorded = 0;
        foreach (var incident in due)
        {
            var next = incident.Level + 1;
            key.TypedValue = incident.Key;
            level.TypedValue = next;
            hash.TypedValue = EscalationHash.Of(incident.Key, next);
            recorded += await insert.ExecuteNonQueryAsync();

            newLevel.TypedValue = next;
            id.TypedValue = incident.Id;
            await update.ExecuteNonQueryAsync();
        }
        stopwatch.Stop();
        return new BaselineRun(stopwatch.Elapsed.TotalMilliseconds, recorded, 1 + (2 * due.Count), ProcessMemory.AllocatedBytes() - allocatedBefore);
    }
}

public sealed record BaselineRun(double Ms, int Escalations, int RoundTrips, long AllocatedBytes);
