namespace EscalationFunctions.Engine.Status;

/// <param name="Reason">Why the last tick did not page it, in words (with the setting behind it).</param>
public sealed record OverdueIncident(string IncidentKey, string Route, int Level, DateTimeOffset DueAt, string Reason);
