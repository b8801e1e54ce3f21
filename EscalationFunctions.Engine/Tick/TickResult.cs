using EscalationFunctions.Engine.Endpoints.Answers;

namespace EscalationFunctions.Engine.Tick;

/// <summary>What one tick did; the ops endpoint serialises it and the metrics are taken from it.</summary>
public sealed record TickResult
{
    public required TickOutcome Outcome { get; init; }
    public required bool Enabled { get; init; }
    public required bool V1 { get; init; }
    public required bool DryRun { get; init; }
    public required int CanaryPct { get; init; }
    public bool Paused => Outcome == TickOutcome.Paused;
    public DateTimeOffset? PausedUntil { get; init; }

    /// <summary>Incidents raised a level, each with a new event and a queued Slack message.</summary>
    public int Escalations { get; init; }

    /// <summary>Due incidents whose (incident, level) event already existed: not recorded or notified again.</summary>
    public int SkippedIdempotent { get; init; }

    /// <summary>Due incidents left untouched because their route is outside the canary.</summary>
    public int DeferredByCanary { get; init; }

    /// <summary>Dry run only: incidents that a real tick would escalate now.</summary>
    public int WouldEscalate { get; init; }

    /// <summary>Dry run only: the first of them (at most 50), most overdue first.</summary>
    public IReadOnlyList<string> WouldEscalateKeys { get; init; } = [];

    /// <summary>Due incidents this tick set aside because escalating them raised a data error (reference §3.1).</summary>
    public int Quarantined { get; init; }

    public int Batches { get; init; }

    /// <summary>Open incidents whose next_due_at this tick recalculated because the SLA settings had changed.</summary>
    public int Recalculated { get; init; }

    public DateTimeOffset? DatabaseTime { get; init; }
    public double DurationMs { get; init; }

    /// <summary>
    /// The tick as JSON sees it, one shape for every reader: the <c>tick</c> answer, its audit
    /// details and <c>escalation_ticks.last_result</c>.
    /// </summary>
    public TickAnswer Answer() => new(
        Escalations,
        SkippedIdempotent,
        DryRun,
        Paused,
        Outcome switch
        {
            TickOutcome.Disabled => "disabled",
            TickOutcome.Paused => "paused",
            TickOutcome.V1Off => "v1Off",
            TickOutcome.DryRun => "dryRun",
            _ => "ran",
        },
        Enabled,
        V1,
        CanaryPct,
        DeferredByCanary,
        Quarantined,
        WouldEscalate,
        WouldEscalateKeys,
        Recalculated,
        Batches,
        PausedUntil,
        Math.Round(DurationMs, 1));
}
