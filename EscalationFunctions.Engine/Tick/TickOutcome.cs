namespace EscalationFunctions.Engine.Tick;

/// <summary>Why a tick stopped where it did: the first gate that closed, or <see cref="Ran"/>.</summary>
public enum TickOutcome
{
    /// <summary><c>ESCALATION_WORKER_ENABLED=false</c>: nothing read, nothing written.</summary>
    Disabled,

    /// <summary>Inside a pause window (<c>ESC_PAUSE_CRON</c>).</summary>
    Paused,

    /// <summary><c>ESCALATION_V1=false</c>: nothing escalated.</summary>
    V1Off,

    /// <summary><c>ESC_DRY_RUN=true</c>: computed what would escalate, wrote nothing.</summary>
    DryRun,

    /// <summary>Escalated every due incident in the canary.</summary>
    Ran,
}
