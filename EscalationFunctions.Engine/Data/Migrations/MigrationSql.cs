namespace EscalationFunctions.Engine.Data.Migrations;

/// <summary>The bookkeeping SQL of <see cref="MigrationRunner"/>: which migrations a database already has.</summary>
internal static class MigrationSql
{
    public const string CreateTable =
        """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version     integer     PRIMARY KEY,
            name        text        NOT NULL,
            applied_at  timestamptz NOT NULL DEFAULT now()
        )
        """;

    public const string ReadApplied = "SELECT version FROM schema_migrations";

    public const string RecordApplied = "INSERT INTO schema_migrations (version, name) VALUES (@v, @n)";
}
