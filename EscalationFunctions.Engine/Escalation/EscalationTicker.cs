using System.Diagnostics;
using System.Text.Json;
using EscalationFunctions.Engine.Configuration;
using EscalationFunctions.Engine.Notifications;
using EscalationFunctions.Engine.Telemetry;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace EscalationFunctions.Engine.Escalation;

/// <summary>
/// One tick (spec §4): check the gates in the spec's order, then escalate every due incident in the
/// canary, batch by batch. Each batch is a single statement (<see cref="TickSql.EscalateBatch"/>),
/// so a crash at any point either kept a whole batch or none of it. Any number of ticks may run at
/// once, on any number of instances: rows are claimed with <c>FOR UPDATE SKIP LOCKED</c> and the
/// unique event hash is the final guard.
/// </summary>
public sealed class EscalationTicker(
    NpgsqlDataSource db,
    EscalationSettings settings,
    SlaRecalculator recalculator,
    OutboxSignal outboxSignal,
    IMetricSink metrics,
    WorkerInstance instance,
    ILogger<EscalationTicker> logger)
{
    private const int DryRunSampleSize = 50;

    /// <summary>The last closed gate logged ("" while ticks run), so a paused or disabled worker logs once, not every tick.</summary>
    private string _loggedGate = "";

    public async Task<TickResult> TickAsync(CancellationToken ct = default)
    {
        var stopwatch = Stopwatch.StartNew();
        var gates = settings.Gates;
        var result = new TickResult
        {
            Outcome = TickOutcome.Disabled,
            Enabled = gates.WorkerEnabled,
            V1 = gates.V1Enabled,
            DryRun = gates.DryRun,
            CanaryPct = gates.CanaryPercent,
        };

        if (!gates.WorkerEnabled)
        {
            if (GateChanged($"{SettingNames.WorkerEnabled}=false"))
            {
                logger.LogInformation("Ticks do nothing: {Setting}=false (logged once)", SettingNames.WorkerEnabled);
            }
            return result;
        }

        await using var conn = await db.OpenConnectionAsync(ct);
        var dbNow = await DatabaseNowAsync(conn, ct);
        result = result with { DatabaseTime = dbNow };

        if (gates.Pause?.PausedUntil(dbNow) is { } pausedUntil)
        {
            result = result with { Outcome = TickOutcome.Paused, PausedUntil = pausedUntil };
            if (GateChanged($"paused until {pausedUntil:O}"))
            {
                logger.LogInformation("Ticks paused until {PausedUntil:O} ({Setting}='{Cron}')", pausedUntil, SettingNames.PauseCron, gates.Pause.CronText);
            }
        }
        else if (!gates.V1Enabled)
        {
            result = result with { Outcome = TickOutcome.V1Off };
            if (GateChanged($"{SettingNames.V1}=false"))
            {
                logger.LogInformation("Ticks escalate nothing: {Setting}=false (logged once)", SettingNames.V1);
            }
        }
        else
        {
            GateChanged(""); // the gates are open again: the next one that closes is logged again
            result = gates.DryRun ? await PreviewAsync(conn, result, ct) : await EscalateAsync(conn, result, dbNow, ct);
        }

        result = result with { DurationMs = stopwatch.Elapsed.TotalMilliseconds };
        await RecordCompletedAsync(conn, result, ct);
        metrics.Track(MetricNames.EscalationTickMs, result.DurationMs);
        metrics.Track(MetricNames.EscalationsCount, result.Escalations);
        metrics.Track(MetricNames.SkippedIdempotent, result.SkippedIdempotent);
        return result;
    }

    /// <summary>True when the gate state differs from the last one logged (thread-safe: ticks may run at once).</summary>
    private bool GateChanged(string state) => Interlocked.Exchange(ref _loggedGate, state) != state;

    private async Task<TickResult> EscalateAsync(NpgsqlConnection conn, TickResult result, DateTimeOffset tickStartedAt, CancellationToken ct)
    {
        var recalc = await recalculator.RecalculateIfSettingsChangedAsync(ct);

        int escalations = 0, skipped = 0, batches = 0;
        while (true)
        {
            await using var tx = await BeginBatchAsync(conn, ct);
            await using var cmd = new NpgsqlCommand(TickSql.EscalateBatch, conn, tx);
            AddDueParameters(cmd);
            cmd.Parameters.AddWithValue("batch_size", settings.Tick.BatchSize);
            cmd.Parameters.AddWithValue("tick_started_at", tickStartedAt);
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            var claimed = (int)reader.GetInt64(0);
            var escalated = (int)reader.GetInt64(1);
            await reader.DisposeAsync();
            await tx.CommitAsync(ct);

            if (claimed == 0)
            {
                break;
            }
            batches++;
            escalations += escalated;
            skipped += claimed - escalated;
            if (escalated > 0)
            {
                // Wake the Slack sender now rather than at its next poll.
                outboxSignal.Notify();
            }
            if (claimed < settings.Tick.BatchSize)
            {
                break;
            }
        }

        var deferred = await CountOutsideCanaryAsync(conn, ct);
        if (escalations > 0 || skipped > 0 || deferred > 0)
        {
            logger.LogInformation(
                "Tick escalated {Escalations} incident(s) in {Batches} batch(es); {Skipped} skipped as already recorded, {Deferred} outside the canary",
                escalations, batches, skipped, deferred);
        }
        return result with
        {
            Outcome = TickOutcome.Ran,
            Escalations = escalations,
            SkippedIdempotent = skipped,
            DeferredByCanary = deferred,
            Batches = batches,
            Recalculated = recalc?.Updated ?? 0,
        };
    }

    private async Task<TickResult> PreviewAsync(NpgsqlConnection conn, TickResult result, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(TickSql.Preview, conn);
        AddDueParameters(cmd);
        cmd.Parameters.AddWithValue("sample_size", DryRunSampleSize);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var wouldEscalate = (int)reader.GetInt64(0);
        var wouldSkip = (int)reader.GetInt64(1);
        var keys = reader.GetFieldValue<string[]>(2);
        await reader.DisposeAsync();

        var deferred = await CountOutsideCanaryAsync(conn, ct);
        if (wouldEscalate > 0 || wouldSkip > 0 || deferred > 0)
        {
            logger.LogInformation("Dry run: {WouldEscalate} incident(s) would escalate, {WouldSkip} would be skipped as already recorded, {Deferred} outside the canary",
                wouldEscalate, wouldSkip, deferred);
        }
        return result with
        {
            Outcome = TickOutcome.DryRun,
            WouldEscalate = wouldEscalate,
            WouldEscalateKeys = keys,
            SkippedIdempotent = wouldSkip,
            DeferredByCanary = deferred,
        };
    }

    /// <summary>
    /// One batch's transaction, with <see cref="TickSql.BatchPlanSettings"/> in force for it only
    /// (<c>SET LOCAL</c> ends with the transaction, so other work on the connection plans as usual).
    /// </summary>
    internal static async Task<NpgsqlTransaction> BeginBatchAsync(NpgsqlConnection conn, CancellationToken ct)
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

    /// <summary>Due incidents the canary leaves out; none (and no query) when every route is in it.</summary>
    private async Task<int> CountOutsideCanaryAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        if (settings.Gates.CanaryPercent >= 100)
        {
            return 0;
        }
        await using var cmd = new NpgsqlCommand(TickSql.CountOutsideCanary, conn);
        AddDueParameters(cmd);
        return (int)(long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    private void AddDueParameters(NpgsqlCommand cmd)
    {
        cmd.Parameters.AddWithValue("max_level", settings.Sla.MaxLevel);
        cmd.Parameters.AddWithValue("snooze_min", settings.Sla.SnoozeMinutes);
        cmd.Parameters.AddWithValue("canary_pct", settings.Gates.CanaryPercent);
    }

    /// <summary>The heartbeat behind <c>tickLagMs</c>. Written for every tick that got past the first gate.</summary>
    private async Task RecordCompletedAsync(NpgsqlConnection conn, TickResult result, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(TickSql.RecordCompletedTick, conn);
        cmd.Parameters.AddWithValue("instance_id", instance.Id);
        cmd.Parameters.AddWithValue("result", JsonSerializer.Serialize(new
        {
            outcome = result.Outcome.ToString(),
            escalations = result.Escalations,
            skippedIdempotent = result.SkippedIdempotent,
            deferredByCanary = result.DeferredByCanary,
            wouldEscalate = result.WouldEscalate,
            durationMs = Math.Round(result.DurationMs, 1),
        }));
        await cmd.ExecuteNonQueryAsync(ct);
    }

    internal static async Task<DateTimeOffset> DatabaseNowAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(TickSql.DatabaseNow, conn);
        var now = (DateTime)(await cmd.ExecuteScalarAsync(ct))!;
        return new DateTimeOffset(now, TimeSpan.Zero);
    }
}
