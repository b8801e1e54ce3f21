using EscalationFunctions.Engine.Data.Migrations;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Engine.Slack.Delivery;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace EscalationFunctions.Tests.Data;

[Lane(TestLane.Database)]
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
    public async Task Migration_7_keeps_every_stored_message_lets_one_be_superseded_and_runs_again_cleanly()
    {
        await using var db = await TestDatabase.CreateAsync("superseded", migrate: false);
        // A database as the previous version left it: migrations 1 to 6, messages in every state it knew.
        await db.ExecuteAsync(MigrationSql.CreateTable);
        foreach (var migration in MigrationRunner.All.Where(m => m.Version < 7))
        {
            await db.ExecuteAsync(migration.Sql);
            await db.ExecuteAsync(MigrationSql.RecordApplied, ("v", migration.Version), ("n", migration.Name));
        }
        await db.ExecuteAsync(
            """
            INSERT INTO notification_outbox (dedup_key, incident_key, level, route, severity, title, status, attempts, lease_until, last_error, sent_at, dead_at)
            VALUES ('k1', 'OLD-1', 1, 'r', 'warning', 'waiting', 'pending', 0, NULL, NULL, NULL, NULL),
                   ('k2', 'OLD-2', 1, 'r', 'warning', 'leased', 'pending', 1, now() + interval '1 minute', NULL, NULL, NULL),
                   ('k3', 'OLD-3', 2, 'r', 'critical', 'posted', 'sent', 1, NULL, NULL, now(), NULL),
                   ('k4', 'OLD-4', 1, 'r', 'warning', 'refused', 'dead', 1, NULL, 'HTTP 404 no_service', NULL, now())
            """);
        const string Stored =
            """
            SELECT concat_ws('|', id, dedup_key, incident_key, level, route, severity, title, status, attempts, next_attempt_at,
                             lease_until, last_error, created_at, sent_at, dead_at)
            FROM notification_outbox ORDER BY id
            """;
        var before = await db.QueryAsync(Stored, r => r.GetString(0));
        var refused = await Assert.ThrowsAsync<PostgresException>(() => db.ExecuteAsync("UPDATE notification_outbox SET status = 'superseded' WHERE id = 1"));
        Assert.Equal(PostgresErrorCodes.CheckViolation, refused.SqlState);

        Assert.Equal(MigrationRunner.All.Where(m => m.Version >= 7).Select(m => m.Version),
            await new MigrationRunner(db.DataSource, NullLogger<MigrationRunner>.Instance).ApplyAsync());
        var seventh = MigrationRunner.All.Single(m => m.Version == 7).Sql;
        await db.ExecuteAsync(seventh);
        await db.ExecuteAsync(seventh);

        Assert.Equal(before, await db.QueryAsync(Stored, r => r.GetString(0)));
        Assert.Equal(0, await db.ScalarAsync<long>("SELECT count(*) FROM notification_outbox WHERE superseded_at IS NOT NULL"));
        Assert.Equal(1, await db.ScalarAsync<long>("SELECT count(*) FROM pg_constraint WHERE conname = 'notification_outbox_status_check'"));
        Assert.Equal(1, await db.ScalarAsync<long>("SELECT count(*) FROM pg_indexes WHERE indexname = 'ix_outbox_superseded'"));

        await db.ExecuteAsync("UPDATE notification_outbox SET status = 'superseded', superseded_at = now(), lease_until = NULL WHERE id = 2");
        Assert.Equal("superseded", await db.ScalarAsync<string>("SELECT status FROM notification_outbox WHERE id = 2"));
        var unknown = await Assert.ThrowsAsync<PostgresException>(() => db.ExecuteAsync("UPDATE notification_outbox SET status = 'recalled' WHERE id = 1"));
        Assert.Equal(PostgresErrorCodes.CheckViolation, unknown.SqlState);
        Assert.Equal("notification_outbox_status_check", unknown.ConstraintName);
    }

    [Fact]
    public async Task Migration_8_moves_the_live_click_answers_into_the_one_queue_keeping_pending_ones_pending_and_the_sender_posts_them()
    {
        await using var db = await TestDatabase.CreateAsync("onequeue", migrate: false);
        await using var slack = await SlackStandIn.StartAsync();
        // A database as the previous version left it: migrations 1 to 7, click answers in every state.
        await db.ExecuteAsync(MigrationSql.CreateTable);
        foreach (var migration in MigrationRunner.All.Where(m => m.Version < 8))
        {
            await db.ExecuteAsync(migration.Sql);
            await db.ExecuteAsync(MigrationSql.RecordApplied, ("v", migration.Version), ("n", migration.Name));
        }
        var huge = "FAKE-unknown\r\n" + new string('X', 1_000_000);
        await db.ExecuteAsync("INSERT INTO incidents (incident_key, route, severity, first_seen) VALUES ('INC-A', 'r', 'warning', now())");
        await db.ExecuteAsync(
            """
            INSERT INTO slack_replies (incident_key, response_url, body, status, attempts, next_attempt_at, lease_until, last_error, done_at) VALUES
                ('INC-A', @a, '{"text":"answer a"}', 'pending', 2, now() - interval '1 second', now() + interval '1 minute', 'HTTP 500', NULL),
                ('INC-B', @b, '{"text":"answer b"}', 'pending', 1, now() + interval '1 hour', NULL, 'HTTP 503', NULL),
                ('INC-C', NULL, '{"text":"c"}', 'sent', 1, now(), NULL, NULL, now()),
                ('INC-D', NULL, '{"text":"d"}', 'dead', 3, now(), NULL, 'HTTP 404 Not Found', now()),
                (@huge, @h, '{"text":"answer huge"}', 'pending', 0, now(), NULL, NULL, NULL)
            """, ("a", slack.ResponseUrl("a").AbsoluteUri), ("b", slack.ResponseUrl("b").AbsoluteUri), ("huge", huge), ("h", slack.ResponseUrl("huge").AbsoluteUri));

        Assert.Equal(MigrationRunner.All.Where(m => m.Version >= 8).Select(m => m.Version),
            await new MigrationRunner(db.DataSource, NullLogger<MigrationRunner>.Instance).ApplyAsync());
        await db.ExecuteAsync(MigrationRunner.All.Single(m => m.Version == 8).Sql); // again: nothing to move, nothing changes

        Assert.True(await db.ScalarAsync<bool>("SELECT to_regclass('slack_replies') IS NULL"));
        const string Moved =
            """
            SELECT kind, left(incident_key, 12), length(incident_key), status, attempts, lease_until IS NULL, destination IS NOT NULL,
                   expires_at = created_at + interval '30 minutes', coalesce(last_error, '')
            FROM notification_outbox ORDER BY id
            """;
        var rows = await db.QueryAsync(Moved, r => (r.GetString(0), r.GetString(1), r.GetInt32(2), r.GetString(3), r.GetInt32(4), r.GetBoolean(5), r.GetBoolean(6), r.GetBoolean(7), r.GetString(8)));
        Assert.Equal(
        [
            ("click_answer", "INC-A", 5, "pending", 2, true, true, true, "HTTP 500"),
            ("click_answer", "INC-B", 5, "pending", 1, true, true, true, "HTTP 503"),
            ("click_answer", "INC-C", 5, "sent", 1, true, false, true, ""),
            ("click_answer", "INC-D", 5, "dead", 3, true, false, true, "HTTP 404 Not Found"),
            ("click_answer", "FAKE-unknown", 200, "pending", 0, true, true, true, ""),
        ], rows);

        // The one sender posts the due ones (the answer an old sender held included); the one waiting for its retry waits.
        await using var engine = InProcessEngine.Create(TestSettings.Environment(db, slack, new() { [SettingNames.SlackResponseUrlHosts] = "127.0.0.1" }));
        await engine.Get<NotificationDispatcher>().DrainAsync(CancellationToken.None);
        Assert.Equal("answer a", Assert.Single(slack.ResponsesTo("a")).Json.GetProperty("text").GetString());
        Assert.Equal("answer huge", Assert.Single(slack.ResponsesTo("huge")).Json.GetProperty("text").GetString());
        Assert.Empty(slack.ResponsesTo("b"));
        Assert.Equal(["sent", "pending", "sent", "dead", "sent"], await db.QueryAsync("SELECT status FROM notification_outbox ORDER BY id", r => r.GetString(0)));
        Assert.Equal(0, await db.ScalarAsync<long>("SELECT count(*) FROM notification_outbox WHERE status = 'sent' AND destination IS NOT NULL"));
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
