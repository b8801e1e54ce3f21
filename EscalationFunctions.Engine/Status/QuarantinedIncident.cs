namespace EscalationFunctions.Engine.Status;

/// <param name="Error">The data error that escalating the incident raised.</param>
public sealed record QuarantinedIncident(DateTimeOffset QuarantinedAt, string IncidentKey, string Route, int Level, string? Error);
