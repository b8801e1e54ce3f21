using Npgsql;

namespace EscalationFunctions.Engine.Tick;

/// <summary>
/// One batch of escalations: a single statement (<see cref="TickSql.EscalateBatch"/>, or
/// <see cref="TickSql.EscalateChosen"/> over chosen incidents) in its own transaction, so a crash
/// at any point either kept a whole batch or none of it.
/// </summary>
public sealed class EscalationBatch(DueIncidentQuery due)
{
    public int Size => due.BatchSize;

    /// <summary>One statement over the next batch (or only the incidents <paramref name="ids"/>), in its own transaction.</summary>
    internal async Task<BatchOutcome> EscalateAsync(NpgsqlConnection conn, string sql, DateTimeOffset tickStartedAt, long[]? ids,
        CancellationToken ct)
    {
        // The plan settings make a full batch walk ix_inc_due in order; a few chosen ids are found
        // faster by primary key, without walking past every due row that is not among them.
        await using var tx = ids is null ? await BeginTransactionAsync(conn, ct) : await conn.BeginTransactionAsync(ct);
        await using var cmd = new NpgsqlCommand(sql, conn, tx);
        due.AddParameters(cmd);
        cmd.Parameters.AddWithValue("batch_size", due.BatchSize);
        cmd.Parameters.AddWithValue("tick_started_at", tickStartedAt);
        if (ids is not null)
        {
            cmd.Parameters.AddWithValue("ids", ids);
        }
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var outcome = new BatchOutcome((int)reader.GetInt64(0), (int)reader.GetInt64(1), 0);
        await reader.DisposeAsync();
        await tx.CommitAsync(ct);
        return outcome;
    }

    /// <summary>
    /// One batch's transaction, with <see cref="TickSql.BatchPlanSettings"/> in force for it only
    /// (<c>SET LOCAL</c> ends with the transaction, so other work on the connection plans as usual).
    /// </summary>
    internal static async Task<NpgsqlTransaction> BeginTransactionAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        var tx = await conn.BeginTransactionAsync(ct);
        try
        {
            await using var plan = new NpgsqlCommand(TickSql.BatchPlanSettings, conn, tx);
            await plan.ExecuteNonQueryAsync(ct);
            return tx;
        }
        catch
        {
            await tx.DisposeAsync();
            throw;
        }
    }
}
