using EscalationFunctions.Engine.Recalc;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Engine.Slack.Delivery;
using EscalationFunctions.Engine.Tick;
using EscalationFunctions.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace EscalationFunctions.Tests.Support;

/// <summary>
/// The engine in-process (<see cref="InProcessEngine"/>), without starting the hosted services:
/// tests call the ticker and the sender directly. Each host has its own connection pool, like a separate instance.
/// </summary>
public sealed class EngineHost : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private EngineHost(ServiceProvider services, FakeLogCollector logs, RecordingMetricSink metrics)
    {
        _services = services;
        Logs = logs;
        Metrics = metrics;
    }

    public FakeLogCollector Logs { get; }
    public RecordingMetricSink Metrics { get; }
    public EscalationSettings Settings => _services.GetRequiredService<EscalationSettings>();
    public EscalationTicker Ticker => _services.GetRequiredService<EscalationTicker>();
    public NotificationDispatcher Dispatcher => _services.GetRequiredService<NotificationDispatcher>();
    public SlaRecalculator Recalculator => _services.GetRequiredService<SlaRecalculator>();

    public static EngineHost Create(IReadOnlyDictionary<string, string> env, TimeProvider? time = null, string? instanceId = null)
    {
        var logs = new FakeLogCollector();
        var metrics = new RecordingMetricSink();
        var services = InProcessEngine.Build(env, metrics, b => b.AddProvider(new FakeLoggerProvider(logs)).SetMinimumLevel(LogLevel.Debug),
            instanceId ?? $"test-{Guid.NewGuid():N}"[..13], time);
        return new EngineHost(services, logs, metrics);
    }

    public T Get<T>() where T : notnull => _services.GetRequiredService<T>();

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
