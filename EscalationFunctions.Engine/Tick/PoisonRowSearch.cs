using EscalationFunctions.Engine.Untrusted;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace EscalationFunctions.Engine.Tick;

/// <summary>
/// A batch raised a data error (reference §3.1): escalate its incidents in halves, and halves of the
/// half that fails, until each failing incident stands alone; those are quarantined, all others escalate.
/// </summary>
public sealed class PoisonRowSearch(DueIncidentQuery due, EscalationBatch batch, ILogger<PoisonRowSearch> logger)
{
    /// <summary>Finds and quarantines the bad rows of the next batch, escalating the others.</summary>
    internal async Task<BatchOutcome> IsolateAsync(NpgsqlConnection conn, DateTimeOffset tickStartedAt, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(TickSql.NextBatchIds, conn);
        due.AddParameters(cmd);
        cmd.Parameters.AddWithValue("batch_size", due.BatchSize);
        cmd.Parameters.AddWithValue("tick_started_at", tickStartedAt);
        var ids = new List<long>();
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                ids.Add(reader.GetInt64(0));
            }
        }
        return await EscalateOrSplitAsync(conn, ids.ToArray(), tickStartedAt, ct);
    }

    private async Task<BatchOutcome> EscalateOrSplitAsync(NpgsqlConnection conn, long[] ids, DateTimeOffset tickStartedAt, CancellationToken ct)
    {
        if (ids.Length == 0)
        {
            return BatchOutcome.None;
        }
        try
        {
            return await batch.EscalateAsync(conn, TickSql.EscalateChosen, tickStartedAt, ids, ct);
        }
        catch (PostgresException e) when (PoisonRows.IsDataError(e))
        {
            if (ids.Length == 1)
            {
                return await QuarantineAsync(conn, ids[0], e, ct);
            }
            var half = ids.Length / 2;
            return await EscalateOrSplitAsync(conn, ids[..half], tickStartedAt, ct) + await EscalateOrSplitAsync(conn, ids[half..], tickStartedAt, ct);
        }
    }

    private async Task<BatchOutcome> QuarantineAsync(NpgsqlConnection conn, long id, PostgresException error, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(TickSql.Quarantine, conn);
        cmd.Parameters.AddWithValue("id", id);
        cmd.Parameters.AddWithValue("error", PoisonRows.Describe(error));
        object? quarantined;
        try
        {
            quarantined = await cmd.ExecuteScalarAsync(ct);
        }
        catch (PostgresException e) when (PoisonRows.IsDataError(e))
        {
            // The row cannot even be marked; it stays due and is narrowed down again by each batch it falls into.
            TickLog.QuarantineFailed(logger, id, PoisonRows.Describe(e), PoisonRows.Describe(error));
            return BatchOutcome.None;
        }
        if (quarantined is not string key)
        {
            return BatchOutcome.None; // another tick got there first, and logged it
        }
        TickLog.Quarantined(logger, UntrustedText.Escape(key), key.Length, PoisonRows.Describe(error));
        return new BatchOutcome(0, 0, 1);
    }
}
