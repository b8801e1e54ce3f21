using System.Diagnostics;
using Npgsql;

namespace EscalationFunctions.Engine.Tick;

/// <summary>
/// One tick (reference §4): check the gates in the spec's order, then escalate every due incident in the
/// canary, batch by batch. Each batch is a single statement (<see cref="TickSql.EscalateBatch"/>),
/// so a crash at any point either kept a whole batch or none of it. Any number of ticks may run at
/// once, on any number of instances: rows are claimed with <c>FOR UPDATE SKIP LOCKED</c> and the
/// unique event hash is the final guard.
/// </summary>
public sealed class EscalationTicker(
    NpgsqlDataSource db,
    TickGates gates,
    BatchEscalator escalator,
    DryRunPreview preview,
    StaleMessageRewrites rewrites,
    CompletedTickRecorder recorder)
{
    public async Task<TickResult> TickAsync(CancellationToken ct = default)
    {
        var stopwatch = Stopwatch.StartNew();
        var current = gates.Current;
        var result = new TickResult
        {
            Outcome = TickOutcome.Disabled,
            Enabled = current.WorkerEnabled,
            V1 = current.V1Enabled,
            DryRun = current.DryRun,
            CanaryPct = current.CanaryPercent,
        };

        if (!current.WorkerEnabled)
        {
            gates.WorkerDisabled();
            return result;
        }

        await using var conn = await db.OpenConnectionAsync(ct);
        var dbNow = await DatabaseClock.NowAsync(conn, ct);
        result = result with { DatabaseTime = dbNow };

        result = gates.Closed(current, dbNow, result)
            ?? (current.DryRun ? await preview.PreviewAsync(conn, result, ct) : await escalator.EscalateAsync(conn, result, dbNow, ct));

        await rewrites.QueueAsync(current.DryRun, ct);

        result = result with { DurationMs = stopwatch.Elapsed.TotalMilliseconds };
        await recorder.RecordAsync(conn, result, ct);
        return result;
    }
}
