using EscalationFunctions.Engine.Settings;
using Npgsql;

namespace EscalationFunctions.Server.Commands;

/// <summary>
/// The set-up that the commands working on the database share (<c>migrate</c>, <c>samples</c>,
/// <c>status</c>): they need only <c>POSTGRES_CONNECTION_STRING</c>, and a missing setting or an
/// unreachable database is one line on standard error, not a stack trace.
/// </summary>
public static class DatabaseCommand
{
    public static async Task<int> RunAsync(Func<NpgsqlDataSource, Task<int>> work)
    {
        var connectionString = Environment.GetEnvironmentVariable(SettingNames.PostgresConnectionString);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            await Console.Error.WriteLineAsync(
                $"Configuration error: {SettingNames.PostgresConnectionString} is not set: expected an Npgsql connection string " +
                "(after ./scripts/run-local.sh: source .local/env).");
            return ExitCodes.BadConfiguration;
        }

        NpgsqlDataSource dataSource;
        try
        {
            dataSource = NpgsqlDataSource.Create(connectionString);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync($"Configuration error: {SettingNames.PostgresConnectionString} is invalid: {e.Message}");
            return ExitCodes.BadConfiguration;
        }

        await using (dataSource)
        {
            try
            {
                return await work(dataSource);
            }
            catch (Exception e) when (e is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException)
            {
                // Npgsql's messages never contain the password.
                var where = new NpgsqlConnectionStringBuilder(connectionString);
                await Console.Error.WriteLineAsync($"Database error ({where.Host}:{where.Port}/{where.Database}): {e.GetBaseException().Message}");
                return ExitCodes.Failed;
            }
        }
    }
}
