using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Engine.Telemetry;
using EscalationFunctions.Engine.Tick;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Support;

namespace EscalationFunctions.Tests.Tick;

[Lane(TestLane.Database)]
public class TickTests(DatabaseFixture fixture) : DatabaseTest(fixture)
{
    private InProcessEngine Engine(params (string Name, string Value)[] overrides) =>
        InProcessEngine.Create(TestSettings.Environment(Db, overrides: overrides.ToDictionary(o => o.Name, o => o.Value)));


    [Fact]
    public async Task Each_due_incident_goes_up_exactly_one_level_with_one_event_and_one_queued_message()
    {
        await Incidents.InsertDueAsync(Db, 5, prefix: "DUE");
        await Incidents.InsertAsync(Db, "FRESH", "r", "warning", TimeSpan.FromMinutes(2));
        await Incidents.InsertAsync(Db, "ACKED", "r", "warning", TimeSpan.FromHours(1));
        await Incidents.InsertAsync(Db, "RESOLVED", "r", "warning", TimeSpan.FromHours(1));
        await Db.ExecuteAsync("UPDATE incidents SET acknowledged_at = now() WHERE incident_key = 'ACKED'");
        await Db.ExecuteAsync("UPDATE incidents SET resolved_at = now() WHERE incident_key = 'RESOLVED'");
        await using var engine = Engine();

        var first = await engine.Ticker.TickAsync();
        var second = await engine.Ticker.TickAsync();

        Assert.Equal(TickOutcome.Ran, first.Outcome);
        Assert.Equal(5, first.Escalations);
        Assert.Equal(0, first.SkippedIdempotent);
        Assert.Equal(0, second.Escalations);
        var rows = await Db.QueryAsync(
            "SELECT incident_key, escalation_level, last_escalated_at IS NOT NULL, next_due_at > now() + interval '29 minutes' FROM incidents ORDER BY incident_key",
            r => (Key: r.GetString(0), Level: r.GetInt32(1), Escalated: r.GetBoolean(2), Snoozed: !r.IsDBNull(3) && r.GetBoolean(3)));
        Assert.All(rows.Where(r => r.Key.StartsWith("DUE")), r => Assert.Equal((1, true, true), (r.Level, r.Escalated, r.Snoozed)));
        Assert.All(rows.Where(r => !r.Key.StartsWith("DUE")), r => Assert.Equal((0, false), (r.Level, r.Escalated)));

        var events = await Db.QueryAsync("SELECT incident_key, level, unique_hash FROM escalation_events", r => (r.GetString(0), r.GetInt32(1), r.GetString(2)));
        Assert.Equal(5, events.Count);
        Assert.All(events, e => Assert.Equal(EscalationHash.Of(e.Item1, e.Item2), e.Item3));
        var outbox = await Db.QueryAsync("SELECT dedup_key, status FROM notification_outbox", r => (r.GetString(0), r.GetString(1)));
        Assert.Equal(events.Select(e => e.Item3).Order(), outbox.Select(o => o.Item1).Order());
        Assert.All(outbox, o => Assert.Equal("pending", o.Item2));
        Assert.Equal(5, engine.Metrics.Sum(MetricNames.EscalationsCount));
        Assert.Equal(2, engine.Metrics.Values(MetricNames.EscalationTickMs).Count);
    }

    [Fact]
    public async Task An_incident_is_never_raised_above_the_max_level()
    {
        await Incidents.InsertAsync(Db, "CAPPED", "r", "critical", TimeSpan.FromHours(5));
        await Db.ExecuteAsync("UPDATE incidents SET escalation_level = 2 WHERE incident_key = 'CAPPED'");
        await using var engine = Engine((SettingNames.MaxLevel, "3"), (SettingNames.SnoozeMinutes, "0"));

        Assert.Equal(1, (await engine.Ticker.TickAsync()).Escalations);
        await Db.ExecuteAsync("UPDATE incidents SET last_escalated_at = now() - interval '1 day', first_seen = first_seen - interval '1 day' WHERE incident_key = 'CAPPED'");
        Assert.Equal(0, (await engine.Ticker.TickAsync()).Escalations);

        Assert.Equal(3, await Incidents.LevelOfAsync(Db, "CAPPED"));
        Assert.Null(await Db.ScalarAsync<DateTime?>("SELECT next_due_at FROM incidents WHERE incident_key = 'CAPPED'"));
    }

    [Fact]
    public async Task The_snooze_blocks_a_second_escalation_inside_the_window()
    {
        await Incidents.InsertAsync(Db, "SNOOZE", "r", "critical", TimeSpan.FromMinutes(6));
        await using var engine = Engine();
        Assert.Equal(1, (await engine.Ticker.TickAsync()).Escalations);

        // Level 2's SLA deadline is long past, but the last escalation was 29 minutes ago: still snoozed.
        await Db.ExecuteAsync(
            "UPDATE incidents SET first_seen = now() - interval '3 hours', last_escalated_at = now() - interval '29 minutes' WHERE incident_key = 'SNOOZE'");
        Assert.Equal(0, (await engine.Ticker.TickAsync()).Escalations);
        Assert.Equal(1, await Incidents.LevelOfAsync(Db, "SNOOZE"));

        await Db.ExecuteAsync("UPDATE incidents SET last_escalated_at = now() - interval '31 minutes' WHERE incident_key = 'SNOOZE'");
        Assert.Equal(1, (await engine.Ticker.TickAsync()).Escalations);
        Assert.Equal(2, await Incidents.LevelOfAsync(Db, "SNOOZE"));
    }

    [Fact]
    public async Task Without_a_snooze_an_incident_many_levels_overdue_still_rises_one_level_per_tick()
    {
        await Incidents.InsertAsync(Db, "BEHIND", "r", "critical", TimeSpan.FromHours(2));
        await using var engine = Engine((SettingNames.SnoozeMinutes, "0"), (SettingNames.TickBatchSize, "1"));

        var first = await engine.Ticker.TickAsync();

        Assert.Equal(1, first.Escalations);
        Assert.Equal(1, await Incidents.LevelOfAsync(Db, "BEHIND"));
        Assert.Equal(1, (await engine.Ticker.TickAsync()).Escalations);
        Assert.Equal(2, await Incidents.LevelOfAsync(Db, "BEHIND"));
    }

    [Fact]
    public async Task An_escalation_already_recorded_is_skipped_not_notified_and_does_not_come_back()
    {
        await Incidents.InsertDueAsync(Db, 3, prefix: "IDEM");
        await Db.ExecuteAsync("INSERT INTO escalation_events (incident_key, level, unique_hash) VALUES ('IDEM-1', 1, escalation_hash('IDEM-1', 1))");
        await using var engine = Engine();

        var first = await engine.Ticker.TickAsync();
        var second = await engine.Ticker.TickAsync();

        Assert.Equal((2, 1), (first.Escalations, first.SkippedIdempotent));
        Assert.Equal((0, 0), (second.Escalations, second.SkippedIdempotent));
        Assert.Equal(1, await Db.ScalarAsync<long>("SELECT count(*) FROM escalation_events WHERE incident_key = 'IDEM-1'"));
        Assert.Equal(0, await Db.ScalarAsync<long>("SELECT count(*) FROM notification_outbox WHERE incident_key = 'IDEM-1'"));
        Assert.Equal(1, await Incidents.LevelOfAsync(Db, "IDEM-1"));
        Assert.Equal(1, engine.Metrics.Sum(MetricNames.SkippedIdempotent));
    }

    [Fact]
    public async Task A_dry_run_reports_what_would_escalate_and_writes_nothing_but_its_heartbeat()
    {
        await Incidents.InsertDueAsync(Db, 4, prefix: "DRY");
        await Db.ExecuteAsync("INSERT INTO escalation_events (incident_key, level, unique_hash) VALUES ('DRY-0', 1, escalation_hash('DRY-0', 1))");
        await using var engine = Engine((SettingNames.DryRun, "true"));
        var before = await Db.SnapshotAsync();

        var result = await engine.Ticker.TickAsync();

        Assert.Equal(TickOutcome.DryRun, result.Outcome);
        Assert.True(result.DryRun);
        Assert.Equal(0, result.Escalations);
        Assert.Equal(3, result.WouldEscalate);
        Assert.Equal(1, result.SkippedIdempotent);
        Assert.Equal(["DRY-1", "DRY-2", "DRY-3"], result.WouldEscalateKeys.Order());
        Assert.Equal(before, (await Db.SnapshotAsync()).Where(r => !r.StartsWith("t ")).ToList());
    }

    [Fact]
    public async Task A_disabled_worker_reads_and_writes_nothing()
    {
        await Incidents.InsertDueAsync(Db, 2);
        await using var engine = Engine((SettingNames.WorkerEnabled, "false"));
        var before = await Db.SnapshotAsync();

        var result = await engine.Ticker.TickAsync();

        Assert.Equal(TickOutcome.Disabled, result.Outcome);
        Assert.False(result.Enabled);
        Assert.Null(result.DatabaseTime);
        Assert.Equal(before, await Db.SnapshotAsync());
    }

    [Fact]
    public async Task With_v1_off_nothing_is_escalated()
    {
        await Incidents.InsertDueAsync(Db, 2);
        await using var engine = Engine((SettingNames.V1, "false"));

        var result = await engine.Ticker.TickAsync();

        Assert.Equal(TickOutcome.V1Off, result.Outcome);
        Assert.Equal(0, await Incidents.EventCountAsync(Db));
        Assert.Equal(0, await Db.ScalarAsync<long>("SELECT count(*) FROM incidents WHERE escalation_level > 0"));
        Assert.Equal(1, await Db.ScalarAsync<long>("SELECT count(*) FROM escalation_ticks"));
    }

    [Fact]
    public async Task Due_incidents_are_escalated_in_batches_of_the_configured_size()
    {
        await Incidents.InsertDueAsync(Db, 20);
        await using var engine = Engine((SettingNames.TickBatchSize, "7"));

        var result = await engine.Ticker.TickAsync();

        Assert.Equal(20, result.Escalations);
        Assert.Equal(3, result.Batches);
        Assert.Equal(20, await Incidents.EventCountAsync(Db));
    }
}
