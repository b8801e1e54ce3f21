namespace EscalationFunctions.Engine.Endpoints.Answers;

/// <summary>
/// What one tick did, one shape for every reader: the <c>tick</c> answer, its audit details and
/// <c>escalation_ticks.last_result</c>. The first four fields are the documented contract.
/// </summary>
/// <param name="Outcome">disabled, paused, v1Off, dryRun or ran: the first gate that closed.</param>
/// <param name="WouldEscalateKeys">Dry run only: the first incidents (at most 50) a real tick would escalate.</param>
public sealed record TickAnswer(
    int Escalations,
    int SkippedIdempotent,
    bool DryRun,
    bool Paused,
    string Outcome,
    bool Enabled,
    bool V1,
    int CanaryPct,
    int DeferredByCanary,
    int Quarantined,
    int WouldEscalate,
    IReadOnlyList<string> WouldEscalateKeys,
    int Recalculated,
    int Batches,
    DateTimeOffset? PausedUntil,
    double DurationMs);
