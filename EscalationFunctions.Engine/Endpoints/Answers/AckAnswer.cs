namespace EscalationFunctions.Engine.Endpoints.Answers;

/// <summary>
/// Both acknowledge routes' answer. <see cref="AlreadyAcknowledged"/>: nothing changed, and
/// <see cref="AcknowledgedBy"/> names whoever acknowledged first (null when another system did it with SQL).
/// </summary>
public sealed record AckAnswer(string IncidentKey, DateTimeOffset AcknowledgedAt, string? AcknowledgedBy, bool AlreadyAcknowledged);
