using System.CommandLine;
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
        var urls = new Option<string?>("--urls")
        {
            Description = $"Address(es) to listen on, separated by ';' (default {ServerApp.DefaultUrl}; ASPNETCORE_URLS works too).",
            HelpName = "URLS",
        };
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
        try
        {
            await ServerApp.Build(startup, urls is null ? [] : [$"--urls={urls}"]).RunAsync();
            return ExitCodes.Ok;
        }
        catch (IOException e) when (e.InnerException is AddressInUseException)
        {
            await Console.Error.WriteLineAsync($"Start-up failed: {e.Message.TrimEnd('.')}. Another process listens there; " +
                                               "choose another address with ASPNETCORE_URLS or --urls, e.g. ASPNETCORE_URLS=http://127.0.0.1:7072.");
            return ExitCodes.Failed;
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or SocketException or IOException)
        {
            // Npgsql's messages never contain the password; one line is enough to act on.
            await Console.Error.WriteLineAsync($"Start-up failed: {e.GetBaseException().Message}");
            return ExitCodes.Failed;
        }
    }
}
