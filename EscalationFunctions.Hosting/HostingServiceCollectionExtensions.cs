using EscalationFunctions.Engine.Runtime;
using EscalationFunctions.Engine.Secrets;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Engine.Slack.Delivery;
using EscalationFunctions.Engine.Telemetry;
using EscalationFunctions.Hosting.Http;
using EscalationFunctions.Hosting.Identity;
using EscalationFunctions.Hosting.Secrets;
using EscalationFunctions.Hosting.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace EscalationFunctions.Hosting;

/// <summary>What each host registers, the plain server and the Functions app alike.</summary>
public static class HostingServiceCollectionExtensions
{
    /// <summary>The engine, where its secrets come from, the HTTP ops endpoints, and Application Insights when configured.</summary>
    public static IServiceCollection AddEscalationHosting(this IServiceCollection services, StartupConfiguration startup)
    {
        if (startup.Vault is { } vault)
        {
            services.AddSingleton(vault);
            services.AddSingleton<ISecretStore>(sp => new KeyVaultSecretStore(
                vault,
                startup.Settings.Connections.KeyVaultCacheTtl,
                startup.VaultValues,
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<IMetricSink>(),
                sp.GetRequiredService<ILogger<KeyVaultSecretStore>>()));
        }
        else
        {
            services.AddSingleton<ISecretStore>(new FixedSecretStore(startup.Environment));
        }

        services.TryAddSingleton(TimeProvider.System);
        if (startup.Settings.Connections.PostgresAuth == PostgresAuthentication.Entra)
        {
            services.AddSingleton<IPostgresPasswordSource>(sp => new PostgresAccessTokenSource(
                startup.Credential, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<PostgresAccessTokenSource>>()));
        }
        if (startup.Settings.Connections.ApplicationInsightsConnectionString is { } connectionString)
        {
            services.AddEscalationApplicationInsights(connectionString);
            services.KeepInformationLogsInApplicationInsights();
        }
        services.AddSingleton(startup.Host);
        services.AddSingleton(startup.Host.Instance);
        services.AddSingleton(RepositoryScripts.AckCommand);
        services.AddEscalationEngine(startup.Settings);
        services.AddSingleton<HttpEndpoints>();
        return services;
    }
}
