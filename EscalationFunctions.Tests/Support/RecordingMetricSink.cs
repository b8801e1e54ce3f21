using System.Collections.Concurrent;
using EscalationFunctions.Engine.Telemetry;

namespace EscalationFunctions.Tests.Support;

/// <summary>Keeps every metric value the engine reports.</summary>
public sealed class RecordingMetricSink : IMetricSink
{
    private readonly ConcurrentQueue<(string Name, double Value)> _values = new();

    public void Track(string metricName, double value) => _values.Enqueue((metricName, value));

    public double Sum(string metricName) => _values.Where(v => v.Name == metricName).Sum(v => v.Value);

    public IReadOnlyList<double> Values(string metricName) => _values.Where(v => v.Name == metricName).Select(v => v.Value).ToList();
}
