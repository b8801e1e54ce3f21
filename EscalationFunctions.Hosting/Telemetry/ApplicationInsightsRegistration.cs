using EscalationFunctions.Engine.Telemetry;
using Microsoft.ApplicationInsights;
using Microsoft.ApplicationInsights.Extensibility;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace EscalationFunctions.Hosting.Telemetry;

public static class ApplicationInsightsRegistration
{
    private const string ApplicationInsightsLoggerProvider = "Microsoft.Extensions.Logging.ApplicationInsights.ApplicationInsightsLoggerProvider";

    /// <summary>
    /// The engine's metrics to Application Insights through the host's <see cref="TelemetryClient"/>.
    /// The Functions app registers that client first (Microsoft.ApplicationInsights.WorkerService,
    /// with the Functions worker's wiring); where none is registered, as in the plain server, one of
    /// the base SDK is made here for <paramref name="connectionString"/>.
    /// </summary>
    public static IServiceCollection AddEscalationApplicationInsights(this IServiceCollection services, string connectionString)
    {
        services.TryAddSingleton(_ =>
        {
            var configuration = TelemetryConfiguration.CreateDefault();
            configuration.ConnectionString = connectionString;
            return configuration;
        });
        services.TryAddSingleton(sp => new TelemetryClient(sp.GetRequiredService<TelemetryConfiguration>()));
        services.Replace(ServiceDescriptor.Singleton<IMetricSink, ApplicationInsightsMetricSink>());
        services.AddHostedService<TelemetryFlushService>();
        return services;
    }

    /// <summary>
    /// Keeps Information-level logs in Application Insights: the SDK's logger provider comes with a
    /// rule that passes only warnings, which hides every tick and ops call. Removing it is what
    /// Microsoft's isolated-worker guidance prescribes.
    /// </summary>
    public static IServiceCollection KeepInformationLogsInApplicationInsights(this IServiceCollection services) =>
        services.Configure<LoggerFilterOptions>(options =>
        {
            var warningsOnly = options.Rules.FirstOrDefault(rule => rule.ProviderName == ApplicationInsightsLoggerProvider);
            if (warningsOnly is not null)
            {
                options.Rules.Remove(warningsOnly);
            }
        });
}
