namespace EscalationFunctions.Engine.Status;

/// <param name="NextDueAt">Null at <c>MAX_ESC_LEVEL</c>: nothing more escalates.</param>
public sealed record OpenIncident(
    string IncidentKey, string Route, string Severity, string Title, int Level, DateTimeOffset? NextDueAt, DateTimeOffset FirstSeen);
