using System.CommandLine;
using System.Net.Sockets;
using EscalationFunctions.Engine.Data.Migrations;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace EscalationFunctions.Server.Commands;

/// <summary>
/// <c>check</c>: what a deployment would meet at start, without starting or changing anything:
/// every setting validated (the secrets read from Key Vault when KEY_VAULT_URI is set), PostgreSQL
/// reached and its migrations counted, and a TCP connection to each Slack host the worker posts to.
/// One line per check; exit 0 when all pass, 1 when something cannot be reached, 2 for a bad setting.
/// </summary>
public static class CheckCommand
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    public static Command Create()
    {
        var check = new Command("check", "Validate every setting and reach PostgreSQL, Key Vault and Slack's host(s), changing nothing " +
                                         "(exit 0: all good; 1: something unreachable; 2: a bad setting).");
        check.SetAction((_, ct) => RunAsync(ct));
        return check;
    }

    private static async Task<int> RunAsync(CancellationToken ct)
    {
        var startup = await StartupConfiguration.LoadOrReportAsync(Environment.GetEnvironmentVariable, Console.Error);
        if (startup is null)
        {
            return ExitCodes.BadConfiguration;
        }
        var settings = startup.Settings;
        Console.WriteLine($"settings: valid; {WorkerMode.Describe(settings, DateTimeOffset.UtcNow)}");
        foreach (var warning in startup.Warnings)
        {
            Console.WriteLine($"settings: warning: {warning}");
        }
        if (startup.Vault is { } vault)
        {
            Console.WriteLine($"Key Vault {vault.VaultUri}: read ({startup.VaultValues.Count(v => v.Value is not null)} secrets found)");
        }

        var ok = await CheckDatabaseAsync(startup, ct);
        foreach (var (what, endpoint) in SlackHosts(settings))
        {
            ok &= await CheckReachableAsync(what, endpoint, ct);
        }
        if (settings.Slack.Delivery == SlackDeliveryMode.Console && settings.Slack.App is null)
        {
            Console.WriteLine($"Slack: printed to the log ({SettingNames.SlackDelivery}=console): nothing to reach");
        }
        return ok ? ExitCodes.Ok : ExitCodes.Failed;
    }

    /// <summary>The database through the worker's own connection set-up (password, rotation or Entra ID token alike).</summary>
    private static async Task<bool> CheckDatabaseAsync(StartupConfiguration startup, CancellationToken ct)
    {
        var where = new NpgsqlConnectionStringBuilder(startup.Settings.Connections.PostgresConnectionString);
        var name = $"PostgreSQL {where.Host}:{where.Port}/{where.Database}";
        var services = new ServiceCollection().AddLogging(b => b.SetMinimumLevel(LogLevel.None));
        services.AddEscalationHosting(startup);
        await using var provider = services.BuildServiceProvider();
        try
        {
            await using var conn = await provider.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync(ct);
            await using var cmd = new NpgsqlCommand(
                "SELECT current_setting('server_version'), CASE WHEN to_regclass('schema_migrations') IS NULL THEN 0 ELSE (SELECT count(*) FROM schema_migrations) END",
                conn);
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            var applied = reader.GetInt64(1);
            var all = MigrationRunner.All.Count;
            Console.WriteLine($"{name}: reachable (PostgreSQL {reader.GetString(0)}); migrations {applied} of {all} applied" +
                              (applied < all ? " (the worker applies the rest at start, or: migrate)" : ""));
            return true;
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException or InvalidOperationException)
        {
            Console.WriteLine($"{name}: NOT reachable: {Engine.Untrusted.UntrustedText.Escape(e.GetBaseException().Message)}");
            return false;
        }
    }

    /// <summary>Where Slack messages go, as scheme://host:port only (a webhook's path is a secret): the Web API's host, or each webhook's.</summary>
    private static IEnumerable<(string What, Uri Endpoint)> SlackHosts(EscalationSettings settings)
    {
        if (settings.Slack.App is { Rehearsal: false } app)
        {
            return [("Slack Web API", Root(app.ApiBaseUrl))];
        }
        if (settings.Slack.App is not null || settings.Slack.Delivery == SlackDeliveryMode.Console)
        {
            return [];
        }
        var table = settings.Slack.Webhooks;
        return table.Routes.Values.Prepend(table.Global).OfType<Uri>().Select(Root).Distinct().Select(u => ("Slack webhooks' host", u));
    }

    private static Uri Root(Uri url) => new($"{url.Scheme}://{url.Authority}/");

    private static async Task<bool> CheckReachableAsync(string what, Uri endpoint, CancellationToken ct)
    {
        var shown = $"{endpoint.Scheme}://{endpoint.Authority}";
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(ConnectTimeout);
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(endpoint.Host, endpoint.Port, timeout.Token);
            Console.WriteLine($"{what} {shown}: reachable");
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            var why = e is OperationCanceledException ? $"no answer within {ConnectTimeout.TotalSeconds:F0} s" : e.Message;
            Console.WriteLine($"{what} {shown}: NOT reachable: {why}");
            return false;
        }
    }
}
