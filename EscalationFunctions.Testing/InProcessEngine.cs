using EscalationFunctions.Engine.Runtime;
using EscalationFunctions.Engine.Secrets;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Engine.Slack.Delivery;
using EscalationFunctions.Engine.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EscalationFunctions.Testing;

/// <summary>
/// The engine's services wired by the same <see cref="EngineServiceCollectionExtensions.AddEscalationEngine"/>
/// the hosts use, for tests and benchmarks that drive the ticker and the sender in-process. Settings
/// are parsed from environment-style values as the hosts parse them; secrets come from those values
/// too; nothing is started.
/// </summary>
public static class InProcessEngine
{
    public static ServiceProvider Build(
        IReadOnlyDictionary<string, string> env, IMetricSink metrics, Action<ILoggingBuilder> logging, string instanceId, TimeProvider? time = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(logging);
        services.AddSingleton(metrics);
        if (time is not null)
        {
            services.AddSingleton(time);
        }
        services.AddSingleton(new WorkerInstance(instanceId));
        services.AddSingleton(new Engine.Slack.Transports.ConsoleAckCommand("./scripts/ops-call.sh ack {0}")); // as the hosts print it
        services.AddSingleton<ISecretStore>(new FixedSecretStore(name => env.GetValueOrDefault(name)));
        services.AddEscalationEngine(TestSettings.Read(env));
        return services.BuildServiceProvider();
    }
}
