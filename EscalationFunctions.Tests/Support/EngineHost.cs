using EscalationFunctions.Engine.Configuration;
using EscalationFunctions.Engine.Escalation;
using EscalationFunctions.Engine.Hosting;
using EscalationFunctions.Engine.Notifications;
using EscalationFunctions.Engine.Telemetry;
using EscalationFunctions.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EscalationFunctions.Tests.Support;

/// <summary>
/// The engine in-process, wired by the same <see cref="EngineServiceCollectionExtensions.AddEscalationEngine"/>
/// the hosts use, without starting the hosted services: tests call the ticker and the sender
/// directly. Each host has its own connection pool, like a separate instance.
/// </summary>
public sealed class EngineHost : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private EngineHost(ServiceProvider services, CapturedLogs logs, RecordingMetricSink metrics)
    {
        _services = services;
        Logs = logs;
        Metrics = metrics;
    }

    public CapturedLogs Logs { get; }
    public RecordingMetricSink Metrics { get; }
    public EscalationSettings Settings => _services.GetRequiredService<EscalationSettings>();
    public EscalationTicker Ticker => _services.GetRequiredService<EscalationTicker>();
    public NotificationDispatcher Dispatcher => _services.GetRequiredService<NotificationDispatcher>();
    public SlaRecalculator Recalculator => _services.GetRequiredService<SlaRecalculator>();

    public static EngineHost Create(IReadOnlyDictionary<string, string> env, TimeProvider? time = null, string? instanceId = null)
    {
        var settings = TestSettings.Read(env);
        var logs = new CapturedLogs();
        var metrics = new RecordingMetricSink();
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        services.AddSingleton<IMetricSink>(metrics);
        if (time is not null)
        {
            services.AddSingleton(time);
        }
        services.AddSingleton(new WorkerInstance(instanceId ?? $"test-{Guid.NewGuid():N}"[..13]));
        services.AddSingleton<ISecretStore>(new FixedSecretStore(name => env.GetValueOrDefault(name)));
        services.AddEscalationEngine(settings);
        return new EngineHost(services.BuildServiceProvider(), logs, metrics);
    }

    public T Get<T>() where T : notnull => _services.GetRequiredService<T>();

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
