using System.Diagnostics;
using EscalationFunctions.Engine.Data;
using EscalationFunctions.Engine.Settings;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace EscalationFunctions.Engine.Recalc;

/// <summary>
/// Keeps every open incident's <c>next_due_at</c> computed with the current SLA settings. The
/// settings live in <c>escalation_sla</c> (the trigger reads them for rows other systems write);
/// when the worker's settings differ, or a recalculation was interrupted, every open incident is
/// recomputed in keyset pages. Runs from each tick (so a forgotten recalc cannot cause drift) and
/// from the <c>recalc</c> ops endpoint.
/// </summary>
public sealed class SlaRecalculator(NpgsqlDataSource db, EscalationSettings settings, ILogger<SlaRecalculator> logger)
{
    /// <summary>Recalculates only when the settings changed or a recalculation is owed; null when nothing was owed.</summary>
    public Task<RecalcResult?> RecalculateIfSettingsChangedAsync(CancellationToken ct) => RunAsync(force: false, ct);

    /// <summary>Copies the settings and recomputes every open incident, owed or not (the ops endpoint).</summary>
    public async Task<RecalcResult> RecalculateAsync(CancellationToken ct) => (await RunAsync(force: true, ct))!;

    private async Task<RecalcResult?> RunAsync(bool force, CancellationToken ct)
    {
        var stopwatch = Stopwatch.StartNew();
        await using var conn = await db.OpenConnectionAsync(ct);
        var (version, recalculatedVersion) = await SyncSettingsAsync(conn, ct);
        if (!force && version == recalculatedVersion)
        {
            return null;
        }

        // The explicit call waits its turn; a tick does not wait for another instance's recalculation.
        // Only one recalculation at a time across all instances; the others would just repeat its work.
        if (!await LockAsync(conn, wait: force, ct))
        {
            RecalcLog.RunningElsewhere(logger);
            return null;
        }

        try
        {
            RecalcLog.Recalculating(logger, version, settings.Sla.CriticalAckMinutes, settings.Sla.WarningAckMinutes, settings.Sla.SnoozeMinutes,
                settings.Sla.MaxLevel);
            long afterId = 0;
            int scanned = 0, updated = 0, batches = 0;
            while (true)
            {
                await using var cmd = new NpgsqlCommand(RecalcSql.RecalcPage, conn);
                cmd.Parameters.AddWithValue("after_id", afterId);
                cmd.Parameters.AddWithValue("batch_size", settings.Tick.BatchSize);
                await using var reader = await cmd.ExecuteReaderAsync(ct);
                await reader.ReadAsync(ct);
                if (reader.IsDBNull(0))
                {
                    break;
                }
                afterId = reader.GetInt64(0);
                var pageSize = (int)reader.GetInt64(1);
                var changed = (int)reader.GetInt64(2);
                await reader.DisposeAsync();

                batches++;
                scanned += pageSize;
                updated += changed;
                RecalcLog.Batch(logger, batches, pageSize, afterId, changed, updated);
                if (pageSize < settings.Tick.BatchSize)
                {
                    break;
                }
            }

            await using (var mark = new NpgsqlCommand(RecalcSql.MarkRecalculated, conn))
            {
                mark.Parameters.AddWithValue("version", version);
                await mark.ExecuteNonQueryAsync(ct);
            }
            var result = new RecalcResult(scanned, updated, batches, version, stopwatch.Elapsed.TotalMilliseconds);
            RecalcLog.Recalculated(logger, updated, scanned, batches, result.DurationMs);
            return result;
        }
        finally
        {
            await using var unlock = new NpgsqlCommand(AdvisoryLocks.Unlock, conn);
            unlock.Parameters.AddWithValue("key", AdvisoryLocks.SlaRecalc);
            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    private async Task<(long Version, long RecalculatedVersion)> SyncSettingsAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        var sla = settings.Sla;
        await using (var sync = new NpgsqlCommand(RecalcSql.SyncSettings, conn))
        {
            sync.Parameters.AddWithValue("crit", sla.CriticalAckMinutes);
            sync.Parameters.AddWithValue("warn", sla.WarningAckMinutes);
            sync.Parameters.AddWithValue("snooze", sla.SnoozeMinutes);
            sync.Parameters.AddWithValue("max_level", sla.MaxLevel);
            if (await sync.ExecuteNonQueryAsync(ct) > 0)
            {
                RecalcLog.SettingsChanged(logger);
            }
        }

        await using var read = new NpgsqlCommand(RecalcSql.ReadVersions, conn);
        await using var reader = await read.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    private static async Task<bool> LockAsync(NpgsqlConnection conn, bool wait, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(wait ? AdvisoryLocks.Lock : AdvisoryLocks.TryLock, conn);
        cmd.Parameters.AddWithValue("key", AdvisoryLocks.SlaRecalc);
        var result = await cmd.ExecuteScalarAsync(ct);
        return wait || (bool)result!;
    }
}
