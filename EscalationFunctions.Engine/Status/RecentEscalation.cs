namespace EscalationFunctions.Engine.Status;

/// <param name="Route">Null when the incident row is gone.</param>
/// <param name="Slack">The Slack message's state: <c>pending</c>, <c>sent</c>, <c>dead</c>, <c>superseded</c> (not posted: the incident was
/// acknowledged or resolved first), or null when there is none.</param>
public sealed record RecentEscalation(DateTimeOffset At, string IncidentKey, int Level, string? Route, string? Severity, string? Slack);
