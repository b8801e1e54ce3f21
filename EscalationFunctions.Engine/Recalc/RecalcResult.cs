namespace EscalationFunctions.Engine.Recalc;

/// <summary>What a recalculation of <c>next_due_at</c> did.</summary>
public sealed record RecalcResult(int Scanned, int Updated, int Batches, long SlaVersion, double DurationMs);
