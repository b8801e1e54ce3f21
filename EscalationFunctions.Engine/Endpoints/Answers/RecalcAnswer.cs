namespace EscalationFunctions.Engine.Endpoints.Answers;

/// <summary>What <c>recalc</c> did: open incidents scanned, <c>next_due_at</c> values changed, and the SLA version now recorded.</summary>
public sealed record RecalcAnswer(int Updated, int Scanned, int Batches, long SlaVersion, double DurationMs);
