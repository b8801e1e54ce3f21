namespace EscalationFunctions.Engine.Telemetry;

/// <summary>
/// Where the engine sends its custom metrics (names in <see cref="MetricNames"/>). The hosts plug in
/// Application Insights when <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is set.
/// </summary>
public interface IMetricSink
{
    void Track(string metricName, double value);
}
