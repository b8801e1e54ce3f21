using EscalationFunctions.Engine.Endpoints.Answers;

namespace EscalationFunctions.Engine.Acknowledge;

/// <summary>
/// What acknowledging an incident came to. <see cref="AlreadyAcknowledged"/>: it was acknowledged
/// before (by <see cref="AcknowledgedBy"/>, null when another system did it with plain SQL) and
/// nothing changed.
/// </summary>
public sealed record Acknowledgement(
    string IncidentKey,
    DateTimeOffset AcknowledgedAt,
    string? AcknowledgedBy,
    bool AlreadyAcknowledged,
    string Route,
    string Severity,
    string Title,
    int Level)
{
    /// <summary>The acknowledge routes' answer.</summary>
    public AckAnswer Answer() => new(IncidentKey, AcknowledgedAt, AcknowledgedBy, AlreadyAcknowledged);
}
