namespace EscalationFunctions.Engine.Endpoints.Answers;

/// <summary>One escalation on the incident page.</summary>
/// <param name="Slack">The Slack message's state (<c>pending</c>, <c>sent</c>, <c>dead</c>), or null when there is none.</param>
public sealed record IncidentPageEscalation(int Level, DateTimeOffset At, string? Slack, string? SlackError);
