namespace EscalationFunctions.Engine.Status;

/// <param name="Outcome">What the instance's last tick did (<see cref="TickOutcome"/>'s name).</param>
/// <param name="CanaryPct">The ESC_CANARY_PCT that tick ran with.</param>
/// <param name="PausedUntil">Set when that tick found the worker paused (as the tick recorded it).</param>
public sealed record InstanceTick(string InstanceId, DateTimeOffset LastCompletedAt, string? Outcome, int? CanaryPct = null, string? PausedUntil = null)
{
    /// <summary>The gates the instance ran under, in words: what <c>status</c> shows as its mode.</summary>
    public string Mode => Outcome switch
    {
        "paused" => $"paused until {PausedUntil ?? "?"}",
        "v1Off" => "escalating nothing (ESCALATION_V1=false)",
        "dryRun" => "dry run (ESC_DRY_RUN=true)",
        _ => CanaryPct is { } pct and < 100 ? $"escalating, canary {pct}% of routes" : "escalating, every route",
    };
}
