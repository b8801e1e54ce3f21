using EscalationFunctions.Engine.Recalc;
using EscalationFunctions.Engine.Slack.Outbox;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace EscalationFunctions.Engine.Tick;

/// <summary>
/// The escalating part of a tick whose gates are open: bring <c>next_due_at</c> up to date with the SLA
/// settings, then escalate every due incident in the canary, batch by batch, until a batch comes back short.
/// </summary>
public sealed class BatchEscalator(
    SlaRecalculator recalculator,
    EscalationBatch batch,
    PoisonRowSearch poisonRows,
    DueIncidentQuery due,
    OutboxSignal outboxSignal,
    ILogger<BatchEscalator> logger)
{
    public async Task<TickResult> EscalateAsync(NpgsqlConnection conn, TickResult result, DateTimeOffset tickStartedAt, CancellationToken ct)
    {
        var recalc = await recalculator.RecalculateIfSettingsChangedAsync(ct);

        int escalations = 0, skipped = 0, batches = 0, quarantined = 0;
        while (true)
        {
            BatchOutcome outcome;
            var isolated = false;
            try
            {
                outcome = await batch.EscalateAsync(conn, TickSql.EscalateBatch, tickStartedAt, ids: null, ct);
            }
            catch (PostgresException e) when (PoisonRows.IsDataError(e))
            {
                // Only here, when a batch failed, does finding the bad rows cost anything. Nothing
                // claimed or quarantined means another tick holds those rows now, and deals with them.
                outcome = await poisonRows.IsolateAsync(conn, tickStartedAt, ct);
                isolated = true;
            }

            quarantined += outcome.Quarantined;
            if (outcome.Claimed == 0 && outcome.Quarantined == 0)
            {
                break;
            }
            batches++;
            escalations += outcome.Escalated;
            skipped += outcome.Claimed - outcome.Escalated;
            if (outcome.Escalated > 0)
            {
                // Wake the Slack sender now rather than at its next poll.
                outboxSignal.Notify();
            }
            if (!isolated && outcome.Claimed < batch.Size)
            {
                break; // the last batch (after an isolated one, the next full batch decides)
            }
        }

        var deferred = await due.CountOutsideCanaryAsync(conn, ct);
        if (escalations > 0 || skipped > 0 || deferred > 0 || quarantined > 0)
        {
            TickLog.Escalated(logger, escalations, batches, skipped, deferred, quarantined);
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
}
