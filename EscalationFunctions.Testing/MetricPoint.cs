namespace EscalationFunctions.Testing;

/// <summary>One aggregated metric as sent: the sum of <see cref="Count"/> values, and the largest.</summary>
public sealed record MetricPoint(string Name, double Sum, int Count, double Max);
