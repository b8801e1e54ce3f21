using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using EscalationFunctions.Hosting;
using Microsoft.AspNetCore.Connections;

namespace EscalationFunctions.Server.Commands;

/// <summary>
/// <c>serve</c> (also what runs without a command): validate every setting (secrets from Key Vault
/// when <c>KEY_VAULT_URI</c> is set), apply migrations, run the timer and the ops routes.
/// </summary>
public static class ServeCommand
{
    public static Command Create()
    {
        var serve = new Command("serve", "Run the worker: apply migrations, tick every ESC_TICK_MS, serve the ops routes (the default command).");
        Configure(serve);
        return serve;
    }

    /// <summary>Gives <paramref name="command"/> serve's options and action; the root command serves too.</summary>
    public static void Configure(Command command)
    {
        var urls = CliOptions.Create("--urls", $"absolute http:// or https:// addresses separated by ';', e.g. {ServerApp.DefaultUrl}",
            (string text, out string? value) => IsListenAddressList(value = text));
        urls.Description = $"Address(es) to listen on, separated by ';' (default {ServerApp.DefaultUrl}; ASPNETCORE_URLS works too).";
        urls.HelpName = "URLS";
        command.Add(urls);
        command.SetAction((parsed, _) => RunAsync(parsed.GetValue(urls)));
    }

    private static async Task<int> RunAsync(string? urls)
    {
        var startup = await StartupConfiguration.LoadOrReportAsync(Environment.GetEnvironmentVariable, Console.Error);
        if (startup is null)
        {
            return ExitCodes.BadConfiguration;
        }
        var listenOn = urls ?? Environment.GetEnvironmentVariable("ASPNETCORE_URLS") ?? ServerApp.DefaultUrl;
        if (ListenProblem(listenOn) is { } problem)
        {
            await Console.Error.WriteLineAsync(problem);
            return ExitCodes.Failed;
        }
        try
        {
            var app = ServerApp.Build(startup, urls is null ? [] : [$"--urls={urls}"]);
            // The database first, as one line naming it: failing inside the host's start, it would come after the host's stack trace.
            if (await StartupDatabaseCheck.ProblemAsync(app.Services, startup.Settings) is { } unreachable)
            {
                await Console.Error.WriteLineAsync(unreachable);
                return ExitCodes.Failed;
            }
            await app.RunAsync();
            return ExitCodes.Ok;
        }
        catch (IOException e) when (e.InnerException is AddressInUseException)
        {
            // Another process took the port between the check above and the bind.
            await Console.Error.WriteLineAsync(AddressInUse(e.Message.TrimEnd('.')));
            return ExitCodes.Failed;
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or SocketException or IOException)
        {
            // Npgsql's messages never contain the password; one line is enough to act on.
            await Console.Error.WriteLineAsync($"Start-up failed: {e.GetBaseException().Message}");
            return ExitCodes.Failed;
        }
    }

    /// <summary>
    /// What Kestrel accepts as <c>--urls</c>: absolute http(s) addresses, <c>;</c>-separated, where the
    /// host may also be <c>*</c> or <c>+</c> (every interface).
    /// </summary>
    internal static bool IsListenAddressList(string urls)
    {
        var entries = urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return entries.Length > 0 && entries.All(url =>
        {
            var scheme = url.IndexOf("://", StringComparison.Ordinal);
            var host = scheme < 0 ? "" : url[(scheme + 3)..];
            var wildcard = host.StartsWith('*') || host.StartsWith('+') ? url[..(scheme + 3)] + "localhost" + host[1..] : url;
            return CliOptions.IsHttpUrl(wildcard) && new Uri(wildcard).AbsolutePath == "/";
        });
    }

    private static string AddressInUse(string problem) =>
        $"Start-up failed: {problem}. Stop that process, or choose another address with " +
        "ASPNETCORE_URLS (or --urls), e.g. ASPNETCORE_URLS=http://127.0.0.1:7072, and point OPS_BASE_URL at it for scripts/ops-call.sh.";

    /// <summary>
    /// Why the worker cannot listen on the first of <paramref name="urls"/> it cannot bind (another process holds the port,
    /// no such address here, a port it may not use), as one line; null when they are free or not checkable here.
    /// </summary>
    private static string? ListenProblem(string urls)
    {
        try
        {
            return BusyAddress(urls) is { } busy ? AddressInUse($"{busy} is already in use by another process") : null;
        }
        catch (SocketException e)
        {
            return $"Start-up failed: cannot listen on {urls}: {e.Message}. Choose another address with ASPNETCORE_URLS (or --urls), " +
                   "e.g. ASPNETCORE_URLS=http://127.0.0.1:7072.";
        }
    }

    /// <summary>
    /// The first of the listen addresses (<c>;</c>-separated) whose port another process holds, checked
    /// by binding it briefly, so the usual case gets one line instead of the host's logged stack trace.
    /// Any other bind error (no such address here, a port it may not use) is thrown for <see cref="ListenProblem"/>.
    /// Only loopback and IP-literal addresses are checked; the rest (<c>*</c>, host names) are left to Kestrel.
    /// </summary>
    private static string? BusyAddress(string urls)
    {
        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
            {
                continue;
            }
            var ip = uri.IsLoopback && !IPAddress.TryParse(uri.Host.Trim('[', ']'), out _) ? IPAddress.Loopback
                : IPAddress.TryParse(uri.Host.Trim('[', ']'), out var literal) ? literal : null;
            if (ip is null || uri.Port == 0)
            {
                continue;
            }
            try
            {
                using var probe = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                // As Kestrel binds: a port with only closed connections in TIME_WAIT is free, one with a listener is not.
                probe.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                probe.Bind(new IPEndPoint(ip, uri.Port));
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                return $"{uri.Scheme}://{uri.Authority}";
            }
        }
        return null;
    }
}
