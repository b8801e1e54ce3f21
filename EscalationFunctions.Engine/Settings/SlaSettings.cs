namespace EscalationFunctions.Engine.Settings;

/// <summary>
/// The settings that decide when an incident is due. They are copied into the database
/// (table <c>escalation_sla</c>) because the trigger that computes <c>next_due_at</c> for rows
/// written by other systems reads them there.
/// </summary>
public sealed record SlaSettings(int CriticalAckMinutes, int WarningAckMinutes, int SnoozeMinutes, int MaxLevel);
