using EscalationFunctions.Engine.Configuration;
using EscalationFunctions.Engine.Data.Migrations;
using Npgsql;

namespace EscalationFunctions.Server.Commands;

/// <summary><c>migrate</c>: applies pending migrations and exits. Needs only POSTGRES_CONNECTION_STRING.</summary>
public static class MigrateCommand
{
    public static async Task<int> RunAsync(ILoggerFactory loggers)
    {
        var connectionString = Environment.GetEnvironmentVariable(SettingNames.PostgresConnectionString);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            await Console.Error.WriteLineAsync($"Configuration error: {SettingNames.PostgresConnectionString} is not set: expected an Npgsql connection string.");
            return ExitCodes.BadConfiguration;
        }
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var applied = await new MigrationRunner(dataSource, loggers.CreateLogger<MigrationRunner>()).ApplyAsync();
        Console.WriteLine(applied.Count == 0
            ? "Schema is up to date."
            : $"Applied migration(s) {string.Join(", ", applied)}.");
        return ExitCodes.Ok;
    }
}
