using System.Text;
using EscalationFunctions.Engine.Data.Migrations;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Engine.Status;
using EscalationFunctions.Engine.Tick;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace EscalationFunctions.Tests.Tick;

/// <summary>
/// Reference §3.1: no single row stops escalation for the others. Rows the tick cannot escalate are
/// quarantined (kept, with time and error), logged once, counted in health, skipped until updated,
/// and every other due incident escalates in the same tick. Batches of 10 so the bad rows sit in
/// batches with good ones, and the tick has several batches to get through.
/// </summary>
[Lane(TestLane.Database)]
public class PoisonRowTests(DatabaseFixture fixture) : DatabaseTest(fixture)
{
    private const string BatchSize = "10";

    [Fact]
    public async Task A_key_stored_before_the_limit_existed_survives_the_migration_and_is_quarantined_while_every_other_incident_escalates()
    {
        await using var db = await TestDatabase.CreateAsync("poison", migrate: false);
        await ApplyMigrationsBeforeAsync(db, version: 4);
        // 2,690 bytes that do not compress: it fits the incidents key index, not the events' (incident_key, level) index.
        var poison = RandomAscii(2_690);
        var longButFine = RandomAscii(1_500);
        await Incidents.InsertDueAsync(db, 25, i => $"route-{i % 4}", overdueMinutes: 1);
        await Incidents.InsertAsync(db, poison, "route-0", "warning", TimeSpan.FromHours(2)); // most overdue: first in the first batch
        await Incidents.InsertAsync(db, longButFine, "route-1", "warning", TimeSpan.FromHours(1));

        Assert.Contains(4, await new MigrationRunner(db.DataSource, NullLogger<MigrationRunner>.Instance).ApplyAsync());

        var refused = await Assert.ThrowsAsync<PostgresException>(() => Incidents.InsertAsync(db, new string('k', 1_001), "r", "warning", TimeSpan.Zero));
        Assert.Equal("23514", refused.SqlState);
        Assert.Equal("incident_key_at_most_1000_characters", refused.ConstraintName);
        Assert.Equal("incident_key is 1001 characters long; at most 1000 are allowed", refused.MessageText);
        await Incidents.InsertAsync(db, new string('k', 1_000), "r", "warning", TimeSpan.Zero);

        await using var engine = InProcessEngine.Create(TestSettings.Environment(db, overrides: new() { [SettingNames.TickBatchSize] = BatchSize }));
        var first = await engine.Ticker.TickAsync();

        Assert.Equal((26, 1), (first.Escalations, first.Quarantined));
        Assert.Equal(26, await db.ScalarAsync<long>("SELECT count(*) FROM incidents WHERE escalation_level = 1"));
        var (level, error) = await QuarantineOfAsync(db, poison);
        Assert.Equal(0, level);
        Assert.StartsWith("54000: index row size", error);
        Assert.Equal(1, await Incidents.LevelOfAsync(db, longButFine));

        // Skipped from now on, and not logged again.
        var second = await engine.Ticker.TickAsync();
        Assert.Equal((0, 0), (second.Escalations, second.Quarantined));
        var logged = Assert.Single(engine.Logs.Lines, l => l.Contains("quarantined:", StringComparison.Ordinal));
        Assert.StartsWith("Error", logged);
        Assert.Contains(poison[..100], logged);
        Assert.DoesNotContain(poison, logged); // named, not pasted whole
        Assert.Equal(1, (await engine.Get<WorkerStatusReader>().ReadAsync(CancellationToken.None)).QuarantinedIncidents);

        // Someone shortens the key: the update lifts the quarantine, and the next tick escalates it.
        await db.ExecuteAsync("UPDATE incidents SET incident_key = left(incident_key, 900) WHERE incident_key = @k", ("k", poison));
        Assert.Equal(0, (await engine.Get<WorkerStatusReader>().ReadAsync(CancellationToken.None)).QuarantinedIncidents);
        var third = await engine.Ticker.TickAsync();
        Assert.Equal((1, 0), (third.Escalations, third.Quarantined));
        Assert.Equal(1, await Incidents.LevelOfAsync(db, poison[..900]));
    }

    [Fact]
    public async Task Rows_that_fail_for_different_reasons_are_each_quarantined_once_and_all_the_others_escalate_in_the_same_tick()
    {
        // Passes the 1,000-character limit, yet is 2,690 bytes of three-byte characters: too large for the events index.
        var wide = RandomCjk(896) + "ab";
        Assert.Equal(2_690, Encoding.UTF8.GetByteCount(wide));
        await Incidents.InsertDueAsync(Db, 40, i => $"route-{i % 5}");
        await Incidents.InsertAsync(Db, wide, "route-2", "warning", TimeSpan.FromMinutes(16));
        // Its level-1 message is already in the outbox (say, restored from a backup without its event): a unique violation.
        await Incidents.InsertAsync(Db, "CONFLICT", "route-3", "warning", TimeSpan.FromMinutes(16.2));
        await Db.ExecuteAsync(
            "INSERT INTO notification_outbox (dedup_key, incident_key, level, route, severity, title, status) VALUES ('old', 'CONFLICT', 1, 'route-3', 'warning', '', 'sent')");
        var outboxBefore = await Db.ScalarAsync<long>("SELECT count(*) FROM notification_outbox");

        await using var one = InProcessEngine.Create(TestSettings.Environment(Db, overrides: new() { [SettingNames.TickBatchSize] = BatchSize }));
        await using var other = InProcessEngine.Create(TestSettings.Environment(Db, overrides: new() { [SettingNames.TickBatchSize] = BatchSize }));
        var ticks = await Task.WhenAll(one.Ticker.TickAsync(), other.Ticker.TickAsync());

        Assert.Equal(40, ticks.Sum(t => t.Escalations));
        Assert.Equal(2, ticks.Sum(t => t.Quarantined));
        Assert.Equal(40, await Db.ScalarAsync<long>("SELECT count(*) FROM incidents WHERE escalation_level = 1"));
        Assert.Equal(40, await Incidents.EventCountAsync(Db));
        Assert.Equal(outboxBefore + 40, await Db.ScalarAsync<long>("SELECT count(*) FROM notification_outbox"));
        Assert.StartsWith("54000: ", (await QuarantineOfAsync(Db, wide)).Error);
        Assert.StartsWith("23505: duplicate key value violates unique constraint \"ux_outbox_incident_level\"", (await QuarantineOfAsync(Db, "CONFLICT")).Error);
        var logged = one.Logs.Lines.Concat(other.Logs.Lines).Where(l => l.Contains("quarantined:", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, logged.Count);
        Assert.Single(logged, l => l.Contains("Incident CONFLICT ", StringComparison.Ordinal));
        Assert.Equal(2, (await one.Get<WorkerStatusReader>().ReadAsync(CancellationToken.None)).QuarantinedIncidents);

        // A settings change recalculates open incidents, but does not lift a quarantine: only an update of the row does.
        await using var changed = InProcessEngine.Create(TestSettings.Environment(Db, overrides: new()
        {
            [SettingNames.TickBatchSize] = BatchSize,
            [SettingNames.WarningAckMinutes] = "10",
        }));
        await changed.Recalculator.RecalculateAsync(CancellationToken.None);
        Assert.Equal(2, await Db.ScalarAsync<long>("SELECT count(*) FROM incidents WHERE quarantined_at IS NOT NULL"));
        await Db.ExecuteAsync("UPDATE incidents SET title = 'looked at' WHERE incident_key = 'CONFLICT'");
        Assert.Equal(1, await Db.ScalarAsync<long>("SELECT count(*) FROM incidents WHERE quarantined_at IS NOT NULL"));
    }

    private static async Task ApplyMigrationsBeforeAsync(TestDatabase db, int version)
    {
        foreach (var migration in MigrationRunner.All.Where(m => m.Version < version))
        {
            await db.ExecuteAsync(migration.Sql);
        }
        await db.ExecuteAsync(
            """
            CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());
            INSERT INTO schema_migrations (version, name) SELECT v, 'applied earlier' FROM generate_series(1, @last) v;
            """, ("last", version - 1));
    }

    private static Task<(int Level, string Error)> QuarantineOfAsync(TestDatabase db, string key) =>
        db.QueryAsync("SELECT escalation_level, quarantine_error FROM incidents WHERE incident_key = @k AND quarantined_at IS NOT NULL",
            r => (r.GetInt32(0), r.GetString(1)), ("k", key)).ContinueWith(t => Assert.Single(t.Result));

    private static string RandomAscii(int length)
    {
        var random = new Random(length);
        return new string(Enumerable.Range(0, length).Select(_ => (char)random.Next(0x21, 0x7F)).ToArray());
    }

    private static string RandomCjk(int length)
    {
        var random = new Random(length);
        return new string(Enumerable.Range(0, length).Select(_ => (char)random.Next(0x4E00, 0x9FFF)).ToArray());
    }
}
