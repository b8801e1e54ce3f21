using System.Text.Json;
using EscalationFunctions.Engine.Configuration;
using EscalationFunctions.Engine.Escalation;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Support;
using Xunit.Abstractions;

namespace EscalationFunctions.Tests.Resilience;

/// <summary>
/// The server is killed (SIGKILL) over and over while 2,000 incidents fall due and their pages go
/// out; after the last restart every due escalation has happened exactly once (spec §4.2).
/// </summary>
public class CrashRecoveryTests(DatabaseFixture fixture, ITestOutputHelper output) : SlackTest(fixture)
{
    private const int Due = 2000;
    private const int MinimumKills = 20;
    private const int Routes = 20;

    [Fact]
    public async Task Killing_the_server_at_least_20_times_mid_run_loses_and_repeats_no_escalation()
    {
        var routes = Enumerable.Range(0, Routes).Select(i => $"route-{i}").ToArray();
        var env = TestSettings.Environment(Db, Slack, new()
        {
            [SettingNames.TickMs] = "100",
            [SettingNames.TickBatchSize] = "25",
            [SettingNames.SlackTimeoutMs] = "1000",
            [SettingNames.SlackRouteWebhooks] = JsonSerializer.Serialize(routes.ToDictionary(r => r, r => Slack.WebhookUrl(r).AbsoluteUri)),
        });
        // Incident i falls due i * 12 ms from now, so ticks keep finding work for ~24 s of kills.
        await Db.ExecuteAsync(
            """
            INSERT INTO incidents (incident_key, route, severity, title, first_seen)
            SELECT 'CRASH-' || n, 'route-' || (n % @routes), 'warning', 'crash test ' || n,
                   now() - interval '15 minutes' + make_interval(secs => n * 0.012)
            FROM generate_series(0, @due - 1) n
            """, ("routes", Routes), ("due", Due));

        var seed = Environment.TickCount;
        var random = new Random(seed);
        var kills = 0;
        var deadline = DateTime.UtcNow.AddMinutes(4);
        while (kills < MinimumKills || await Db.ScalarAsync<long>("SELECT count(*) FROM incidents WHERE escalation_level = 0") > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"still killing after 4 minutes ({kills} kills)");
            await using var server = await ServerProcess.StartAsync(env);
            await Task.Delay(random.Next(100, 1500));
            server.Kill();
            kills++;
        }
        var eventsAtLastKill = await Incidents.EventCountAsync(Db);

        await using (var survivor = await ServerProcess.StartAsync(env))
        {
            // Rows leased by a killed sender come back when their lease runs out.
            await Eventually.TrueAsync(async () =>
                    await Db.ScalarAsync<long>("SELECT count(*) FROM notification_outbox WHERE status = 'sent'") == Due,
                TimeSpan.FromSeconds(120), $"all {Due} pages sent after the last restart");
            await survivor.StopAsync();
        }

        var accepted = Slack.Posts.Where(p => p.Accepted).ToList();
        var duplicates = accepted.Count - accepted.Select(p => p.DedupHeader).Distinct().Count();
        output.WriteLine($"seed {seed}: {kills} kills, {eventsAtLastKill} escalations before the last restart, " +
                         $"{accepted.Count} pages accepted, {duplicates} repeated (outcome unknown at a kill)");

        Assert.True(kills >= MinimumKills);
        Assert.Equal(Due, await Incidents.EventCountAsync(Db));
        Assert.Equal(Due, await Db.ScalarAsync<long>("SELECT count(DISTINCT incident_key) FROM escalation_events WHERE level = 1"));
        Assert.Equal(Due, await Db.ScalarAsync<long>("SELECT count(*) FROM incidents WHERE escalation_level = 1"));
        Assert.Equal(Due, await Db.ScalarAsync<long>("SELECT count(*) FROM notification_outbox"));

        var expectedKeys = Enumerable.Range(0, Due).Select(n => EscalationHash.Of($"CRASH-{n}", 1)).ToHashSet();
        Assert.True(expectedKeys.SetEquals(accepted.Select(p => p.DedupHeader)), "every page arrived, and only these pages");
        // A kill can repeat at most the post in flight on each webhook lane.
        Assert.InRange(duplicates, 0, kills * Routes);
    }
}
