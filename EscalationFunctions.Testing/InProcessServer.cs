using Azure.Security.KeyVault.Secrets;
using EscalationFunctions.Hosting;
using EscalationFunctions.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace EscalationFunctions.Testing;

/// <summary>
/// The plain server built by <see cref="ServerApp.Build"/> inside the test process, listening on a
/// real loopback port: tests talk to it over HTTP. A second one on the same database is a second
/// instance (its own container, pools and caches).
/// </summary>
public sealed class InProcessServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private InProcessServer(WebApplication app, Uri baseUrl, FakeLogCollector logs)
    {
        _app = app;
        BaseUrl = baseUrl;
        Logs = logs;
        Client = new HttpClient(new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => System.Text.Encoding.UTF8 })
        {
            BaseAddress = baseUrl,
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    public Uri BaseUrl { get; }
    public HttpClient Client { get; }
    public FakeLogCollector Logs { get; }
    public IServiceProvider Services => _app.Services;

    /// <param name="vault">Stands in for Key Vault when the settings name a KEY_VAULT_URI.</param>
    public static async Task<InProcessServer> StartAsync(Dictionary<string, string> env, TimeProvider? time = null, SecretClient? vault = null)
    {
        var startup = await StartupConfiguration.LoadAsync(name => env.GetValueOrDefault(name), vaultClient: vault is null ? null : _ => vault);
        var logs = new FakeLogCollector();
        var app = ServerApp.Build(startup, ["--urls=http://127.0.0.1:0"], services =>
        {
            services.AddLogging(b => b.ClearProviders().AddProvider(new FakeLoggerProvider(logs)).SetMinimumLevel(LogLevel.Information));
            if (time is not null)
            {
                services.Replace(ServiceDescriptor.Singleton(time));
            }
        });
        await app.StartAsync();
        // Port 0 until bound: the kernel's pick, so nothing can take the port between choosing and binding.
        return new InProcessServer(app, new Uri(app.Urls.Single()), logs);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
