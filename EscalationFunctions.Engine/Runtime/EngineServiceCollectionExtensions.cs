using EscalationFunctions.Engine.Acknowledge;
using EscalationFunctions.Engine.Data;
using EscalationFunctions.Engine.Data.Migrations;
using EscalationFunctions.Engine.Endpoints;
using EscalationFunctions.Engine.Endpoints.Audit;
using EscalationFunctions.Engine.Endpoints.Guards;
using EscalationFunctions.Engine.Endpoints.Handlers;
using EscalationFunctions.Engine.Endpoints.Pipeline;
using EscalationFunctions.Engine.Recalc;
using EscalationFunctions.Engine.Secrets;
using EscalationFunctions.Engine.Security;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Engine.Slack.App;
using EscalationFunctions.Engine.Slack.Delivery;
using EscalationFunctions.Engine.Slack.Outbox;
using EscalationFunctions.Engine.Slack.Transports;
using EscalationFunctions.Engine.Status;
using EscalationFunctions.Engine.Telemetry;
using EscalationFunctions.Engine.Tick;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace EscalationFunctions.Engine.Runtime;

/// <summary>The engine's services, registered the same way by the plain server and the Functions app.</summary>
public static class EngineServiceCollectionExtensions
{
    /// <summary>
    /// Registers the engine. The host registers the <see cref="ISecretStore"/> first: fixed values
    /// from the environment, or a store that follows Key Vault.
    /// </summary>
    public static IServiceCollection AddEscalationEngine(this IServiceCollection services, EscalationSettings settings)
    {
        services.AddSingleton(settings);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IMetricSink>(NullMetricSink.Instance);
        services.TryAddSingleton(ConsoleAckCommand.None);

        services.AddSingleton(sp => DataSource(settings, sp.GetRequiredService<ISecretStore>(), sp.GetService<IPostgresPasswordSource>(),
            sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton<MigrationRunner>();

        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<SlaRecalculator>();
        services.AddSingleton<DueIncidentQuery>();
        services.AddSingleton<EscalationBatch>();
        services.AddSingleton<PoisonRowSearch>();
        services.AddSingleton<BatchEscalator>();
        services.AddSingleton<DryRunPreview>();
        services.AddSingleton<TickGates>();
        services.AddSingleton<StaleMessageRewrites>();
        services.AddSingleton<CompletedTickRecorder>();
        services.AddSingleton<EscalationTicker>();

        services.AddSingleton<SlackWebhookDirectory>();
        // One long-lived client that never follows a redirect (reference §5.3): webhooks and response_urls alike.
        services.AddSingleton(sp => new SlackWebhookTransport(
            new HttpClient(SlackWebhookTransport.CreateHandler())
            {
                Timeout = Timeout.InfiniteTimeSpan, // each post has its own SLACK_TIMEOUT_MS
            },
            settings,
            sp.GetRequiredService<TimeProvider>()));
        if (settings.Slack.Delivery == SlackDeliveryMode.Console)
        {
            services.AddSingleton<ISlackTransport, SlackConsoleTransport>();
        }
        else
        {
            services.AddSingleton<ISlackTransport>(sp => sp.GetRequiredService<SlackWebhookTransport>());
        }
        services.AddSingleton<SlackResponseUrlTransport>();
        AddSlackApp(services, settings);
        services.AddSingleton<SlackSigningSecretProvider>();
        // The host's stop, when there is a host (tests may run the engine without one).
        services.AddSingleton(sp => new DeliveryShutdown(sp.GetService<IHostApplicationLifetime>()?.ApplicationStopping ?? CancellationToken.None));
        services.AddSingleton<DeliveryDatabaseGate>();
        services.AddSingleton<OutboxStore>();
        services.AddSingleton<OutboxOutcomes>();
        services.AddSingleton<WebhookLaneStore>();
        services.AddSingleton<SlackMessageComposer>();
        services.AddSingleton<LaneLeases>();
        services.AddSingleton<LanePace>();
        services.AddSingleton<LaneOutcomeRecorder>();
        services.AddSingleton<LanePoster>();
        services.AddSingleton<ClaimedRows>();
        services.AddSingleton<LaneRunner>();
        services.AddSingleton<LanePlanningPass>();
        services.AddSingleton<NotificationDispatcher>();
        services.AddSingleton<TimerInvocation>();

        services.AddSingleton<WorkerStatusReader>();
        services.AddSingleton<StatusReportReader>();
        services.AddSingleton<IncidentAcknowledger>();
        AddEndpoints(services);
        // Order matters: migrations complete before the sender (and the host's timer) start.
        services.AddHostedService<MigrationStartupService>();
        services.AddHostedService<NotificationSenderService>();
        services.AddHostedService<MetricsSamplerService>();
        return services;
    }

    /// <summary>
    /// Slack app mode (reference §10): the Web API transport (its own client: redirects never followed, the
    /// token is sent to the API host only), or in a rehearsal the console; and the memory of posted
    /// messages, which every mode registers (the tick asks it for rewrites, none in webhook mode).
    /// </summary>
    private static void AddSlackApp(IServiceCollection services, EscalationSettings settings)
    {
        services.AddSingleton<SlackMessageStore>();
        services.AddSingleton<SlackAuthMonitor>();
        services.AddSingleton<SlackBotTokenProvider>();
        if (settings.Slack.App is not { } app)
        {
            services.AddSingleton(sp => new SlackTransports(sp.GetRequiredService<ISlackTransport>(), sp.GetRequiredService<SlackResponseUrlTransport>()));
            return;
        }
        if (app.Rehearsal)
        {
            services.AddSingleton(sp => new SlackTransports(sp.GetRequiredService<ISlackTransport>(), sp.GetRequiredService<SlackResponseUrlTransport>(),
                sp.GetRequiredService<ISlackTransport>()));
            return;
        }
        services.AddSingleton(sp => new SlackWebApiTransport(
            new HttpClient(SlackWebhookTransport.CreateHandler()) { Timeout = Timeout.InfiniteTimeSpan },
            settings, sp.GetRequiredService<SlackBotTokenProvider>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new SlackTransports(sp.GetRequiredService<ISlackTransport>(), sp.GetRequiredService<SlackResponseUrlTransport>(),
            sp.GetRequiredService<SlackWebApiTransport>()));
    }

    /// <summary>Every route's pipeline, its guards and one handler per route of <see cref="RouteTable"/>.</summary>
    private static void AddEndpoints(IServiceCollection services)
    {
        services.AddSingleton<HmacKeyProvider>();
        services.AddSingleton<SignatureReplayGuard>();
        services.AddSingleton<OpsRateLimiter>();
        services.AddSingleton<CallerRoleCheck>();
        services.AddSingleton<RateLimitCheck>();
        services.AddSingleton<OpsGuard>();
        services.AddSingleton<SlackGuard>();
        services.AddSingleton<AuditLog>();
        services.AddSingleton<DatabaseOutageLog>();
        services.AddSingleton<FailureAnswers>();
        services.AddSingleton<IEndpointHandler, TickEndpoint>();
        services.AddSingleton<IEndpointHandler, RecalcEndpoint>();
        services.AddSingleton<IEndpointHandler, HealthEndpoint>();
        services.AddSingleton<IEndpointHandler, AckEndpoint>();
        services.AddSingleton<IEndpointHandler, SlackClickEndpoint>();
        services.AddSingleton<IEndpointHandler, IncidentPageEndpoint>();
        services.AddSingleton<EndpointHandlers>();
        services.AddSingleton<EndpointPipeline>();
    }

    /// <summary>
    /// The connection pool. With <c>POSTGRES_AUTH=entra</c> the password is the host's access token,
    /// renewed before it expires. Otherwise, when the secret store can rotate, the password is taken
    /// from the current connection string each refresh, so a rotated database password is used
    /// without a restart (host and database still come from the connection string read at start-up).
    /// </summary>
    private static NpgsqlDataSource DataSource(EscalationSettings settings, ISecretStore secrets, IPostgresPasswordSource? tokens,
        ILoggerFactory loggers)
    {
        var builder = new NpgsqlDataSourceBuilder(settings.Connections.PostgresConnectionString);
        builder.ConnectionStringBuilder.ApplicationName ??= "EscalationFunctions";
        builder.UseLoggerFactory(loggers);
        if (settings.Connections.PostgresAuth == PostgresAuthentication.Entra)
        {
            if (tokens is null)
            {
                throw new InvalidOperationException(
                    $"{SettingNames.PostgresAuth}=entra, but the host registered no {nameof(IPostgresPasswordSource)} to get access tokens from.");
            }
            builder.UsePeriodicPasswordProvider((_, ct) => tokens.GetPasswordAsync(ct), tokens.RefreshInterval, TimeSpan.FromSeconds(5));
        }
        else if (secrets.CanRotate)
        {
            var startPassword = builder.ConnectionStringBuilder.Password;
            builder.ConnectionStringBuilder.Password = null; // Npgsql takes a password or a provider, not both
            builder.UsePeriodicPasswordProvider(
                async (_, ct) =>
                {
                    var current = await secrets.GetAsync(SettingNames.PostgresConnectionString, ct);
                    return (current is null ? null : new NpgsqlConnectionStringBuilder(current).Password) ?? startPassword ?? "";
                },
                settings.Connections.KeyVaultCacheTtl,
                TimeSpan.FromSeconds(30));
        }
        return builder.Build();
    }
}
