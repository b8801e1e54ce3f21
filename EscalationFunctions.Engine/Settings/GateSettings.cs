namespace EscalationFunctions.Engine.Settings;

/// <summary>The tick's gates, checked in this order (reference §4.4).</summary>
public sealed record GateSettings(
    bool WorkerEnabled,
    PauseSchedule? Pause,
    bool V1Enabled,
    int CanaryPercent,
    bool DryRun);
