using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Support;

namespace EscalationFunctions.Tests.Recalc;

[Lane(TestLane.Database)]
public class RecalcTests(DatabaseFixture fixture) : DatabaseTest(fixture)
{
    private async Task SeedAsync()
    {
        // Open critical and warning incidents inside their SLA, plus acknowledged ones.
        for (var i = 0; i < 10; i++)
        {
            await Incidents.InsertAsync(Db, $"CRIT-{i}", "r", "critical", TimeSpan.FromMinutes(2));
            await Incidents.InsertAsync(Db, $"WARN-{i}", "r", "warning", TimeSpan.FromMinutes(2));
            await Incidents.InsertAsync(Db, $"ACK-{i}", "r", "critical", TimeSpan.FromMinutes(2));
        }
        await Db.ExecuteAsync("UPDATE incidents SET acknowledged_at = now() WHERE incident_key LIKE 'ACK-%'");
    }

    private Task<long> RowsWhoseDueIsAsync(string keyPattern, int minutes) => Db.ScalarAsync<long>(
        "SELECT count(*) FROM incidents WHERE incident_key LIKE @p AND next_due_at = first_seen + make_interval(mins => @m)",
        ("p", keyPattern), ("m", minutes));

    [Fact]
    public async Task An_SLA_change_mid_flight_moves_next_due_at_of_open_incidents_after_recalc()
    {
        await SeedAsync();
        Assert.Equal(10, await RowsWhoseDueIsAsync("CRIT-%", 5));
        await using var engine = InProcessEngine.Create(TestSettings.Environment(Db, overrides: new() { [SettingNames.CriticalAckMinutes] = "10" }));

        var result = await engine.Recalculator.RecalculateAsync(CancellationToken.None);

        Assert.Equal(20, result.Scanned);
        Assert.Equal(10, result.Updated);
        Assert.Equal(10, await RowsWhoseDueIsAsync("CRIT-%", 10));
        Assert.Equal(10, await RowsWhoseDueIsAsync("WARN-%", 15));
        Assert.Equal(0, await Db.ScalarAsync<long>("SELECT count(*) FROM incidents WHERE incident_key LIKE 'ACK-%' AND next_due_at IS NOT NULL"));

        // Rows written by other systems from now on get the new SLA too.
        await Incidents.InsertAsync(Db, "CRIT-NEW", "r", "critical", TimeSpan.Zero);
        Assert.Equal(1, await RowsWhoseDueIsAsync("CRIT-NEW", 10));
    }

    [Fact]
    public async Task After_a_restart_with_changed_SLA_settings_the_first_tick_recalculates_by_itself()
    {
        await SeedAsync();
        await using (var before = InProcessEngine.Create(TestSettings.Environment(Db)))
        {
            Assert.Equal(0, (await before.Ticker.TickAsync()).Recalculated);
        }

        await using var after = InProcessEngine.Create(TestSettings.Environment(Db, overrides: new() { [SettingNames.WarningAckMinutes] = "30" }));
        var first = await after.Ticker.TickAsync();
        var second = await after.Ticker.TickAsync();

        Assert.Equal(10, first.Recalculated);
        Assert.Equal(0, second.Recalculated);
        Assert.Equal(10, await RowsWhoseDueIsAsync("WARN-%", 30));
        Assert.Equal(10, await RowsWhoseDueIsAsync("CRIT-%", 5));
    }

    [Fact]
    public async Task A_recalculation_that_was_interrupted_is_finished_by_the_next_tick()
    {
        await SeedAsync();
        // As if an instance changed the SLA row and died before recalculating.
        await Db.ExecuteAsync("UPDATE escalation_sla SET crit_ack_min = 20, version = version + 1 WHERE id = 1");
        await using var engine = InProcessEngine.Create(TestSettings.Environment(Db, overrides: new() { [SettingNames.CriticalAckMinutes] = "20" }));

        var result = await engine.Ticker.TickAsync();

        Assert.Equal(10, result.Recalculated);
        Assert.Equal(10, await RowsWhoseDueIsAsync("CRIT-%", 20));
        Assert.Equal(0, await Db.ScalarAsync<long>("SELECT version - recalculated_version FROM escalation_sla"));
    }
}
