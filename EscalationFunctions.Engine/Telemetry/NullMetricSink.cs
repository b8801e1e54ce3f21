namespace EscalationFunctions.Engine.Telemetry;

/// <summary>Used when no telemetry destination is configured.</summary>
public sealed class NullMetricSink : IMetricSink
{
    public static NullMetricSink Instance { get; } = new();

    public void Track(string metricName, double value)
    {
    }
}
