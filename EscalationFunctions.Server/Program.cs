using EscalationFunctions.Hosting;
using EscalationFunctions.Server;
using EscalationFunctions.Server.Commands;

// EscalationFunctions.Server [serve|migrate|samples]
//   serve    (default) validate every setting (secrets from Key Vault when KEY_VAULT_URI is set),
//            apply migrations, run the timer and the ops routes
//   migrate  apply pending migrations and exit
//   samples  insert demo incidents into the database (local runs)
//   sign     sign an ops call: print its headers or a ready curl command (see SignCommand)
var named = args.Length > 0 && !args[0].StartsWith('-');
var command = named ? args[0] : "serve";
var rest = named ? args[1..] : args;
using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true));

switch (command)
{
    case "serve":
        var startup = await StartupConfiguration.LoadOrReportAsync(Environment.GetEnvironmentVariable, Console.Error);
        if (startup is null)
        {
            return ExitCodes.BadConfiguration;
        }
        try
        {
            await ServerApp.Build(startup, rest).RunAsync();
            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or System.Net.Sockets.SocketException or IOException)
        {
            // Npgsql's messages never contain the password; one line is enough to act on.
            await Console.Error.WriteLineAsync($"Start-up failed: {e.GetBaseException().Message}");
            return ExitCodes.Failed;
        }

    case "migrate":
        return await MigrateCommand.RunAsync(loggers);

    case "samples":
        return await SampleIncidentsCommand.RunAsync();

    case "sign":
        return await SignCommand.RunAsync(rest);

    default:
        await Console.Error.WriteLineAsync($"Unknown command '{command}'. Commands: serve (default), migrate, samples, sign.");
        return ExitCodes.Usage;
}
