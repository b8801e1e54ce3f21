using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Support;

namespace EscalationFunctions.Tests.Ops;

[Lane(TestLane.Process)]
public class OpsRecalcTests(DatabaseFixture fixture) : DatabaseTest(fixture)
{
    [Fact]
    public async Task Recalc_over_50000_open_incidents_after_an_SLA_change_updates_every_one_in_batches_while_ticks_run()
    {
        // 50,000 open warnings inside their 15 min SLA, and 300 overdue criticals for the ticks to escalate meanwhile.
        await Db.ExecuteAsync(
            """
            INSERT INTO incidents (incident_key, route, severity, first_seen)
            SELECT 'W-' || n, 'route-' || (n % 40), 'warning', now() - interval '1 minute' FROM generate_series(1, 50000) n
            """);
        await Incidents.InsertDueAsync(Db, 300, prefix: "C", severity: "critical");
        var newSla = new Dictionary<string, string> { [SettingNames.WarningAckMinutes] = "30", [SettingNames.TickBatchSize] = "1000" };
        await using var server = await InProcessServer.StartAsync(OpsTestSettings.For(Db, newSla));
        await using var ticker = InProcessEngine.Create(OpsTestSettings.For(Db, newSla), instanceId: "ticker");

        var recalc = OpsCall.SendAsync(server.Client, OpsCall.Signed("/ops/escalation/recalc"));
        await Eventually.TrueAsync(() => Task.FromResult(server.Logs.Lines.Any(l => l.Contains("Recalc batch 1:"))),
            TimeSpan.FromSeconds(30), "the recalculation has started");
        var ticks = 0;
        var escalatedDuringRecalc = 0;
        while (!recalc.IsCompleted)
        {
            escalatedDuringRecalc += (await ticker.Ticker.TickAsync()).Escalations;
            ticks++;
        }
        var answer = await recalc;
        escalatedDuringRecalc += (await ticker.Ticker.TickAsync()).Escalations;

        Assert.Equal(200, answer.Status);
        Assert.Equal(50_000, answer.Json.GetProperty("updated").GetInt32());
        Assert.Equal(50_300, answer.Json.GetProperty("scanned").GetInt32());
        Assert.Equal(51, answer.Json.GetProperty("batches").GetInt32());
        Assert.Equal(51, server.Logs.Lines.Count(l => l.Contains("Recalc batch ")));
        Assert.True(ticks >= 2, $"only {ticks} tick(s) ran during the recalculation");
        Assert.Equal(300, escalatedDuringRecalc);
        Assert.Equal(50_000, await Db.ScalarAsync<long>(
            "SELECT count(*) FROM incidents WHERE severity = 'warning' AND next_due_at = first_seen + interval '30 minutes'"));
        Assert.Equal(300, await Db.ScalarAsync<long>("SELECT count(*) FROM incidents WHERE severity = 'critical' AND escalation_level = 1"));
        Assert.Equal(300, await Incidents.EventCountAsync(Db));
    }

    [Fact]
    public async Task After_a_restart_with_changed_SLA_settings_the_worker_recalculates_with_no_explicit_call()
    {
        await Db.ExecuteAsync(
            "INSERT INTO incidents (incident_key, route, severity, first_seen) SELECT 'R-' || n, 'r', 'warning', now() FROM generate_series(1, 2000) n");
        Assert.Equal(2000, await Db.ScalarAsync<long>("SELECT count(*) FROM incidents WHERE next_due_at = first_seen + interval '15 minutes'"));

        await using var restarted = await ServerProcess.StartAsync(OpsTestSettings.For(Db, new()
        {
            [SettingNames.WarningAckMinutes] = "25",
            [SettingNames.TickMs] = "200",
        }));
        // The pages commit before the closing log line is written, so wait for the line, then look at the rows.
        await Eventually.TrueAsync(() => Task.FromResult(restarted.Output.Contains("Recalculated 2000 of 2000 open incident(s)")),
            TimeSpan.FromSeconds(30), "the worker logs that it recalculated all 2,000 open incidents");

        Assert.Equal(2000, await Db.ScalarAsync<long>("SELECT count(*) FROM incidents WHERE next_due_at = first_seen + interval '25 minutes'"));
        Assert.Equal(0, await Db.ScalarAsync<long>("SELECT count(*) FROM ops_audit"));
    }
}
