namespace EscalationFunctions.Engine.Endpoints.Answers;

/// <summary>One incident and its escalations: what the incident link shows on the plain server.</summary>
public sealed record IncidentPage(
    string IncidentKey, string Route, string Severity, string Title, int Level, DateTimeOffset FirstSeen, DateTimeOffset? NextDueAt,
    DateTimeOffset? LastEscalatedAt, DateTimeOffset? AcknowledgedAt, DateTimeOffset? ResolvedAt, IReadOnlyList<IncidentPageEscalation> Escalations);
