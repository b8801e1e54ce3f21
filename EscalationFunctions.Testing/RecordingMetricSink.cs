using System.Collections.Concurrent;
using EscalationFunctions.Engine.Telemetry;

namespace EscalationFunctions.Testing;

/// <summary>
/// Sums each metric the engine reports and, unless told not to, keeps every value. A benchmark keeps
/// no values, so the allocations it reports per tick are the engine's own.
/// </summary>
public sealed class RecordingMetricSink(bool keepValues = true) : IMetricSink
{
    private readonly ConcurrentDictionary<string, double> _sums = new();
    private readonly ConcurrentQueue<(string Name, double Value)> _values = new();

    public void Track(string metricName, double value)
    {
        _sums.AddOrUpdate(metricName, value, (_, sum) => sum + value);
        if (keepValues)
        {
            _values.Enqueue((metricName, value));
        }
    }

    public double Sum(string metricName) => _sums.GetValueOrDefault(metricName);

    public IReadOnlyList<double> Values(string metricName) => keepValues
        ? _values.Where(v => v.Name == metricName).Select(v => v.Value).ToList()
        : throw new InvalidOperationException("This sink keeps sums only (keepValues: false).");
}
