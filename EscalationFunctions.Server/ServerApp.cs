using System.Text;
using EscalationFunctions.Hosting;
using EscalationFunctions.Hosting.Http;
using Microsoft.Extensions.Configuration.Memory;

namespace EscalationFunctions.Server;

/// <summary>Builds the plain server. Tests build it in-process too, with the same settings type.</summary>
public static class ServerApp
{
    public const string DefaultUrl = "http://127.0.0.1:7071";

    public static WebApplication Build(StartupConfiguration startup, string[] args, Action<IServiceCollection>? configureServices = null)
    {
        var settings = startup.Settings;
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args });
        // ASP.NET Core writes five Information lines per request and the host four at start; the banner
        // below says what they would. As defaults under every other configuration source, so
        // Logging__LogLevel__Microsoft.AspNetCore=Information brings them back (a filter in code
        // may still keep a category quiet for a reason of its own).
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
                ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Warning",
            },
        });
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
        // "Request starting/finished" print the URL with its query, and a function key may be in ?code=
        // (reference §6.1). The ops handler logs each call (endpoint, caller, outcome) instead.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);

        // Header values are decoded as Latin-1, which accepts any byte, so odd or non-ASCII headers
        // reach the handler and get its JSON error instead of Kestrel's bare 400.
        builder.WebHost.ConfigureKestrel(k => k.RequestHeaderEncodingSelector = _ => Encoding.Latin1);

        builder.Services.AddEscalationHosting(startup);
        builder.Services.AddMvcCore(); // executes the handlers' IActionResults, as the Functions host does
        builder.Services.AddHostedService<TickTimerService>();
        configureServices?.Invoke(builder.Services);

        var app = builder.Build();
        // Nothing should get here; if something does, it is still a JSON answer and not a bare 500 (reference §6.1).
        app.UseExceptionHandler(failed => failed.Run(context => RouteTableMapping.ExecuteAsync(context,
            HttpEndpoints.HostRefusal(context.Response, 503, "internal_error", "The worker failed to handle the call; its logs say why. Try again shortly."))));
        app.UseMiddleware<FunctionKeyMiddleware>();
        app.MapRouteTable();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("EscalationFunctions.Server");
        StartupLog.Warnings(logger, startup);
        var time = app.Services.GetRequiredService<TimeProvider>();
        app.Lifetime.ApplicationStarted.Register(() =>
            ServerLog.Listening(logger, string.Join(", ", app.Urls), StartupLog.Mode(settings, time)));
        app.Lifetime.ApplicationStopping.Register(() => ServerLog.Stopping(logger));
        return app;
    }
}
