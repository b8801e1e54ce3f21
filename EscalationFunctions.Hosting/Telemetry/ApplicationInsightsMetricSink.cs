using EscalationFunctions.Engine.Telemetry;
using Microsoft.ApplicationInsights;

namespace EscalationFunctions.Hosting.Telemetry;

/// <summary>
/// The engine's metrics as Application Insights custom metrics (table <c>customMetrics</c>),
/// pre-aggregated per minute by <see cref="TelemetryClient.GetMetric(string)"/>.
/// </summary>
public sealed class ApplicationInsightsMetricSink(TelemetryClient client) : IMetricSink
{
    public void Track(string metricName, double value) => client.GetMetric(metricName).TrackValue(value);
}
