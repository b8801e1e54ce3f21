namespace EscalationFunctions.Engine.Status;

/// <param name="LastError">Slack's last answer, or the transport's error.</param>
/// <param name="Kind">What the message was (<c>page</c>, <c>click_answer</c>); a click answer has no level or route.</param>
public sealed record DeadMessage(DateTimeOffset CreatedAt, string Kind, string IncidentKey, int? Level, string? Route, int Attempts, string? LastError);
