using EscalationFunctions.Engine.Recalc;
using EscalationFunctions.Engine.Runtime;
using EscalationFunctions.Engine.Secrets;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Engine.Slack.Delivery;
using EscalationFunctions.Engine.Telemetry;
using EscalationFunctions.Engine.Tick;
using EscalationFunctions.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Npgsql;

namespace EscalationFunctions.Testing;

/// <summary>
/// The engine's services wired by the same <see cref="EngineServiceCollectionExtensions.AddEscalationEngine"/>
/// the hosts use, for tests and benchmarks that drive the ticker and the sender in-process. Settings
/// are parsed from environment-style values as the hosts parse them (<see cref="TestSettings.Read"/>);
/// secrets come from those values too; no hosted service starts unless asked
/// (<see cref="StartSenderAsync"/>). Each engine has its own connection pool, like a separate instance.
/// </summary>
public sealed class InProcessEngine : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly List<IHostedService> _started = [];

    private InProcessEngine(ServiceProvider services, FakeLogCollector logs, RecordingMetricSink metrics)
    {
        _services = services;
        Logs = logs;
        Metrics = metrics;
    }

    /// <summary>What the engine logged at <c>logLevel</c> and above.</summary>
    public FakeLogCollector Logs { get; }
    public RecordingMetricSink Metrics { get; }
    public EscalationSettings Settings => _services.GetRequiredService<EscalationSettings>();
    public EscalationTicker Ticker => _services.GetRequiredService<EscalationTicker>();
    public TimerInvocation Cycle => _services.GetRequiredService<TimerInvocation>();
    public NotificationDispatcher Dispatcher => _services.GetRequiredService<NotificationDispatcher>();
    public SlaRecalculator Recalculator => _services.GetRequiredService<SlaRecalculator>();
    public NpgsqlDataSource DataSource => _services.GetRequiredService<NpgsqlDataSource>();

    /// <param name="env">The settings, as environment variables (<see cref="TestSettings"/>).</param>
    /// <param name="time">Replaces the system clock when given.</param>
    /// <param name="instanceId">This instance's id in leases and logs; a fresh one when null.</param>
    /// <param name="logLevel">The lowest level kept in <see cref="Logs"/> (and passed to <paramref name="logging"/>).</param>
    /// <param name="keepMetricValues">False keeps sums only (<see cref="RecordingMetricSink"/>).</param>
    /// <param name="logging">More log providers (a benchmark's console).</param>
    public static InProcessEngine Create(
        IReadOnlyDictionary<string, string> env, TimeProvider? time = null, string? instanceId = null, LogLevel logLevel = LogLevel.Debug,
        bool keepMetricValues = true, Action<ILoggingBuilder>? logging = null)
    {
        var logs = new FakeLogCollector();
        var metrics = new RecordingMetricSink(keepMetricValues);
        var services = new ServiceCollection();
        services.AddLogging(b =>
        {
            b.AddProvider(new FakeLoggerProvider(logs)).SetMinimumLevel(logLevel);
            logging?.Invoke(b);
        });
        services.AddSingleton<IMetricSink>(metrics);
        if (time is not null)
        {
            services.AddSingleton(time);
        }
        services.AddSingleton(new WorkerInstance(instanceId ?? $"test-{Guid.NewGuid():N}"[..13]));
        services.AddSingleton(RepositoryScripts.AckCommand); // as the hosts print it
        services.AddSingleton<ISecretStore>(new FixedSecretStore(name => env.GetValueOrDefault(name)));
        services.AddEscalationEngine(TestSettings.Read(env));
        return new InProcessEngine(services.BuildServiceProvider(), logs, metrics);
    }

    public T Get<T>() where T : notnull => _services.GetRequiredService<T>();

    /// <summary>Starts the Slack sender (<see cref="NotificationSenderService"/>) as the hosts run it.</summary>
    public async Task StartSenderAsync()
    {
        var sender = _services.GetServices<IHostedService>().OfType<NotificationSenderService>().Single();
        await sender.StartAsync(CancellationToken.None);
        _started.Add(sender);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var service in _started)
        {
            await service.StopAsync(CancellationToken.None);
        }
        _started.Clear();
        await _services.DisposeAsync();
    }
}
