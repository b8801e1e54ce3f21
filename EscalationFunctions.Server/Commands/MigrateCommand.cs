using System.CommandLine;
using EscalationFunctions.Engine.Data.Migrations;
using Microsoft.Extensions.Logging.Abstractions;

namespace EscalationFunctions.Server.Commands;

/// <summary><c>migrate</c>: applies pending migrations and exits. Needs only POSTGRES_CONNECTION_STRING.</summary>
public static class MigrateCommand
{
    public static Command Create()
    {
        var migrate = new Command("migrate", "Apply pending schema migrations and exit (needs only POSTGRES_CONNECTION_STRING).");
        migrate.SetAction((_, ct) => DatabaseCommand.RunAsync(async db =>
        {
            var applied = await new MigrationRunner(db, NullLogger<MigrationRunner>.Instance).ApplyAsync(ct);
            Console.WriteLine(applied.Count == 0
                ? "Schema is up to date."
                : $"Applied migration(s) {string.Join(", ", applied)}.");
            return ExitCodes.Ok;
        }));
        return migrate;
    }
}
