using System.Diagnostics;
using EscalationFunctions.Engine.Endpoints.Answers;
using EscalationFunctions.Engine.Recalc;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Engine.Slack.App;
using EscalationFunctions.Engine.Slack.Delivery;
using EscalationFunctions.Engine.Slack.Outbox;
using EscalationFunctions.Engine.Telemetry;
using EscalationFunctions.Engine.Untrusted;
using Microsoft.Extensions.Logging;
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
    EscalationSettings settings,
    SlaRecalculator recalculator,
    OutboxSignal outboxSignal,
    SlackMessageStore slackMessages,
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

        // App mode (reference §10.4): messages that still show an incident acknowledged or resolved since as
        // open are rewritten, whatever the escalation gates say (a paused worker still tells the truth).
        if (settings.Slack.App is not null && !gates.DryRun && await slackMessages.QueueRewritesAsync(ct) > 0)
        {
            outboxSignal.Notify();
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

        int escalations = 0, skipped = 0, batches = 0, quarantined = 0;
        while (true)
        {
            BatchOutcome batch;
            var isolated = false;
            try
            {
                batch = await EscalateBatchAsync(conn, TickSql.EscalateBatch, tickStartedAt, ids: null, ct);
            }
            catch (PostgresException e) when (PoisonRows.IsDataError(e))
            {
                // Only here, when a batch failed, does finding the bad rows cost anything. Nothing
                // claimed or quarantined means another tick holds those rows now, and deals with them.
                batch = await IsolatePoisonRowsAsync(conn, tickStartedAt, ct);
                isolated = true;
            }

            quarantined += batch.Quarantined;
            if (batch.Claimed == 0 && batch.Quarantined == 0)
            {
                break;
            }
            batches++;
            escalations += batch.Escalated;
            skipped += batch.Claimed - batch.Escalated;
            if (batch.Escalated > 0)
            {
                // Wake the Slack sender now rather than at its next poll.
                outboxSignal.Notify();
            }
            if (!isolated && batch.Claimed < settings.Tick.BatchSize)
            {
                break; // the last batch (after an isolated one, the next full batch decides)
            }
        }

        var deferred = await CountOutsideCanaryAsync(conn, ct);
        if (escalations > 0 || skipped > 0 || deferred > 0 || quarantined > 0)
        {
            logger.LogInformation(
                "Tick escalated {Escalations} incident(s) in {Batches} batch(es); {Skipped} skipped as already recorded, {Deferred} outside the canary, {Quarantined} newly quarantined",
                escalations, batches, skipped, deferred, quarantined);
        }
        return result with
        {
            Outcome = TickOutcome.Ran,
            Escalations = escalations,
            SkippedIdempotent = skipped,
            DeferredByCanary = deferred,
            Batches = batches,
            Quarantined = quarantined,
            Recalculated = recalc?.Updated ?? 0,
        };
    }

    /// <summary>One statement over the next batch (or only the incidents <paramref name="ids"/>), in its own transaction.</summary>
    private async Task<BatchOutcome> EscalateBatchAsync(NpgsqlConnection conn, string sql, DateTimeOffset tickStartedAt, long[]? ids,
        CancellationToken ct)
    {
        // The plan settings make a full batch walk ix_inc_due in order; a few chosen ids are found
        // faster by primary key, without walking past every due row that is not among them.
        await using var tx = ids is null ? await BeginBatchAsync(conn, ct) : await conn.BeginTransactionAsync(ct);
        await using var cmd = new NpgsqlCommand(sql, conn, tx);
        AddDueParameters(cmd);
        cmd.Parameters.AddWithValue("batch_size", settings.Tick.BatchSize);
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
    /// A batch raised a data error (reference §3.1): escalate its incidents in halves, and halves of the
    /// half that fails, until each failing incident stands alone; those are quarantined, all others escalate.
    /// </summary>
    private async Task<BatchOutcome> IsolatePoisonRowsAsync(NpgsqlConnection conn, DateTimeOffset tickStartedAt, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(TickSql.NextBatchIds, conn);
        AddDueParameters(cmd);
        cmd.Parameters.AddWithValue("batch_size", settings.Tick.BatchSize);
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
            return await EscalateBatchAsync(conn, TickSql.EscalateChosen, tickStartedAt, ids, ct);
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
            logger.LogError("Incident #{Id} could not be quarantined ({Error}) after escalating it failed with {Cause}",
                id, PoisonRows.Describe(e), PoisonRows.Describe(error));
            return BatchOutcome.None;
        }
        if (quarantined is not string key)
        {
            return BatchOutcome.None; // another tick got there first, and logged it
        }
        logger.LogError(
            "Incident {IncidentKey} ({KeyLength} characters) quarantined: escalating it failed with {Error}. Other incidents go on; " +
            "this one is skipped until its row is updated (any UPDATE of the row lifts the quarantine)",
            UntrustedText.Escape(key), key.Length, PoisonRows.Describe(error));
        return new BatchOutcome(0, 0, 1);
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
        cmd.Parameters.AddWithValue("result", AnswerJson.Serialize(result.Answer()));
        await cmd.ExecuteNonQueryAsync(ct);
    }

    internal static async Task<DateTimeOffset> DatabaseNowAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(TickSql.DatabaseNow, conn);
        var now = (DateTime)(await cmd.ExecuteScalarAsync(ct))!;
        return new DateTimeOffset(now, TimeSpan.Zero);
    }
}
