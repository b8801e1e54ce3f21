using EscalationFunctions.Engine.Data.Migrations;
using EscalationFunctions.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace EscalationFunctions.Tests.Data;

public class MigrationTests
{
    [Fact]
    public async Task Eight_instances_starting_at_once_apply_each_migration_exactly_once()
    {
        await using var db = await TestDatabase.CreateAsync("migrate", migrate: false);

        var runs = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            new MigrationRunner(db.DataSource, NullLogger<MigrationRunner>.Instance).ApplyAsync()));

        Assert.Equal(MigrationRunner.All.Select(m => m.Version), runs.SelectMany(r => r).OrderBy(v => v));
        Assert.Equal(MigrationRunner.All.Count, await db.ScalarAsync<long>("SELECT count(*) FROM schema_migrations"));
        Assert.Empty(await new MigrationRunner(db.DataSource, NullLogger<MigrationRunner>.Instance).ApplyAsync());
    }

    [Fact]
    public async Task Every_migration_can_be_applied_again_without_error()
    {
        await using var db = await TestDatabase.CreateAsync("reapply");

        // Idempotent statements: a migration that ran but whose bookkeeping row was lost runs cleanly again.
        foreach (var migration in MigrationRunner.All)
        {
            await db.ExecuteAsync(migration.Sql);
        }
        Assert.Equal(MigrationRunner.All.Count, await db.ScalarAsync<long>("SELECT count(*) FROM schema_migrations"));
    }

    [Fact]
    public async Task The_spec_tables_columns_and_named_indexes_exist()
    {
        await using var db = await TestDatabase.CreateAsync("schema");

        var indexes = await db.QueryAsync("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'incidents'",
            r => (Name: r.GetString(0), Definition: r.GetString(1)));
        Assert.Contains(indexes, i => i.Name == "ix_inc_ack" && i.Definition.EndsWith("(acknowledged_at)"));
        Assert.Contains(indexes, i => i.Name == "ix_inc_sev_level" && i.Definition.EndsWith("(severity, escalation_level)"));
        Assert.Contains(indexes, i => i.Name == "ix_inc_due" && i.Definition.EndsWith("(next_due_at) WHERE (acknowledged_at IS NULL)"));

        var columns = await db.QueryAsync(
            """
            SELECT table_name, column_name, data_type, is_generated
            FROM information_schema.columns
            WHERE table_name IN ('incidents', 'escalation_events')
            """,
            r => (Table: r.GetString(0), Column: r.GetString(1), Type: r.GetString(2), Generated: r.GetString(3)));
        foreach (var (column, type) in new[]
                 {
                     ("incident_key", "text"), ("route", "text"), ("severity", "text"), ("first_seen", "timestamp with time zone"),
                     ("acknowledged_at", "timestamp with time zone"), ("escalation_level", "integer"),
                     ("last_escalated_at", "timestamp with time zone"), ("next_due_at", "timestamp with time zone"),
                 })
        {
            Assert.Contains(columns, c => c.Table == "incidents" && c.Column == column && c.Type == type);
        }
        Assert.Equal("NEVER", columns.Single(c => c.Table == "incidents" && c.Column == "next_due_at").Generated);
        foreach (var (column, type) in new[]
                 {
                     ("id", "bigint"), ("incident_key", "text"), ("level", "integer"), ("unique_hash", "text"), ("created_at", "timestamp with time zone"),
                 })
        {
            Assert.Contains(columns, c => c.Table == "escalation_events" && c.Column == column && c.Type == type);
        }

        Assert.Equal(1, await db.ScalarAsync<int>(
            """
            SELECT count(*)::int FROM pg_indexes
            WHERE tablename = 'escalation_events' AND indexdef LIKE 'CREATE UNIQUE INDEX%(unique_hash)'
            """));
        Assert.Equal(1, await db.ScalarAsync<int>(
            "SELECT count(*)::int FROM pg_indexes WHERE tablename = 'incidents' AND indexdef LIKE 'CREATE UNIQUE INDEX%(incident_key)'"));
    }
}
