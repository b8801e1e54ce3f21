namespace EscalationFunctions.Engine.Telemetry;

/// <summary>
/// Where the engine sends its custom metrics (names in <see cref="MetricNames"/>). The hosts plug in
/// Application Insights when <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is set.
/// </summary>
public interface IMetricSink
{
    void Track(string metricName, double value);
}

/// <summary>Used when no telemetry destination is configured.</summary>
public sealed class NullMetricSink : IMetricSink
{
    public static NullMetricSink Instance { get; } = new();

    public void Track(string metricName, double value)
    {
    }
}
