using EscalationFunctions.Engine.Configuration;
using EscalationFunctions.Engine.Hosting;

namespace EscalationFunctions.Server;

/// <summary>Builds the plain server. Tests build it in-process too, with the same settings type.</summary>
public static class ServerApp
{
    public const string DefaultUrl = "http://127.0.0.1:7071";

    public static WebApplication Build(EscalationSettings settings, IReadOnlyList<string> settingWarnings, string[] args,
        Action<IServiceCollection>? configureServices = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args });
        if (string.IsNullOrWhiteSpace(builder.WebHost.GetSetting(WebHostDefaults.ServerUrlsKey)))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
            o.UseUtcTimestamp = true;
        });
        // Npgsql logs every command at Information; its warnings and errors are what operators need.
        builder.Logging.AddFilter("Npgsql", LogLevel.Warning);

        builder.Services.AddEscalationEngine(settings);
        builder.Services.AddHostedService<TickTimerService>();
        configureServices?.Invoke(builder.Services);

        var app = builder.Build();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("EscalationFunctions.Server");
        foreach (var warning in settingWarnings)
        {
            logger.LogWarning("Configuration: {Warning}", warning);
        }
        app.Lifetime.ApplicationStarted.Register(() =>
            logger.LogInformation("EscalationFunctions server listening on {Urls}; tick every {TickMs} ms",
                string.Join(", ", app.Urls), settings.Tick.Period.TotalMilliseconds));
        return app;
    }
}
