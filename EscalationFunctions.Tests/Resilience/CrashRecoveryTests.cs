using System.Text.Json;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Engine.Tick;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Support;
using Xunit.Abstractions;

namespace EscalationFunctions.Tests.Resilience;

/// <summary>
/// The server is killed (SIGKILL) over and over while 2,000 incidents fall due and their pages go
/// out; after the last restart every due escalation has happened exactly once (reference §4.2).
/// </summary>
[Lane(TestLane.Process)]
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
        var failedPosts = new List<string>();
        var deadline = DateTime.UtcNow.AddMinutes(4);
        var killing = System.Diagnostics.Stopwatch.StartNew();
        while (kills < MinimumKills || await Db.ScalarAsync<long>("SELECT count(*) FROM incidents WHERE escalation_level = 0") > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"still killing after 4 minutes ({kills} kills)");
            await using var server = await ServerProcess.StartAsync(env);
            // A kill at a random moment of the server's life is the point: no condition to wait for.
            await Task.Delay(random.Next(100, 1500));
            server.Kill();
            kills++;
            failedPosts.AddRange(FailedPosts(server.Output).Select(l => $"server {kills}: {l}"));
        }
        killing.Stop();
        var eventsAtLastKill = await Incidents.EventCountAsync(Db);
        var attemptsAtLastKill = await AttemptsAsync();

        var delivering = System.Diagnostics.Stopwatch.StartNew();
        await using (var survivor = await ServerProcess.StartAsync(env))
        {
            // Rows leased by a killed sender come back when their lease runs out.
            try
            {
                await Eventually.TrueAsync(async () =>
                        await Db.ScalarAsync<long>("SELECT count(*) FROM notification_outbox WHERE status = 'sent'") == Due,
                    TimeSpan.FromSeconds(120), $"all {Due} pages sent after the last restart");
            }
            catch (TimeoutException e)
            {
                throw new TimeoutException($"{e.Message} (seed {seed}, {kills} kills in {killing.Elapsed.TotalSeconds:F0} s)\n" +
                                           $"Attempts at the last kill (attempts x rows): {attemptsAtLastKill}\n{await OutboxStateAsync()}\n" +
                                           $"Failed posts ({failedPosts.Count}, the survivor's not yet included):\n{string.Join('\n', failedPosts.TakeLast(20))}\n" +
                                           $"Survivor's last lines:\n{string.Join('\n', survivor.Output.Split('\n').TakeLast(40))}", e);
            }
            delivering.Stop();
            await survivor.StopAsync();
            failedPosts.AddRange(FailedPosts(survivor.Output).Select(l => $"survivor: {l}"));
        }

        var accepted = Slack.Posts.Where(p => p.Accepted).ToList();
        var duplicates = accepted.Count - accepted.Select(p => p.DedupHeader).Distinct().Count();
        output.WriteLine($"seed {seed}: {kills} kills, {eventsAtLastKill} escalations before the last restart, " +
                         $"{accepted.Count} pages accepted, {duplicates} repeated (outcome unknown at a kill)");
        output.WriteLine($"Kill phase {killing.Elapsed.TotalSeconds:F0} s; the survivor sent the rest in {delivering.Elapsed.TotalSeconds:F0} s");
        output.WriteLine($"Attempts at the last kill (attempts x rows): {attemptsAtLastKill}");
        output.WriteLine(await OutboxStateAsync());
        output.WriteLine($"Failed posts ({failedPosts.Count}):\n{string.Join('\n', failedPosts)}");

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

    /// <summary>A sender's lines about posts that failed (a retry or a dead letter).</summary>
    private static IEnumerable<string> FailedPosts(string serverOutput) =>
        serverOutput.Split('\n').Where(l => l.Contains(" failed (attempt", StringComparison.Ordinal) || l.Contains("dead-lettered", StringComparison.Ordinal));

    private async Task<string> AttemptsAsync() => string.Join(' ', await Db.QueryAsync(
        "SELECT attempts, count(*) FROM notification_outbox GROUP BY attempts ORDER BY attempts",
        r => $"{r.GetInt32(0)}x{r.GetInt64(1)}"));

    /// <summary>Where the outbox stands, for a failure message: rows by status, their attempts, errors, leases, and the lanes.</summary>
    private async Task<string> OutboxStateAsync()
    {
        var byStatus = await Db.QueryAsync(
            """
            SELECT status, count(*), max(attempts),
                   count(*) FILTER (WHERE lease_until > now()),
                   count(*) FILTER (WHERE next_attempt_at > now())
            FROM notification_outbox GROUP BY status ORDER BY status
            """,
            r => $"{r.GetString(0)}: {r.GetInt64(1)} rows, max attempts {r.GetInt32(2)}, {r.GetInt64(3)} leased, {r.GetInt64(4)} waiting for a retry");
        var attempts = await AttemptsAsync();
        var errors = await Db.QueryAsync(
            """
            SELECT status, route, attempts, coalesce(last_error, '-'),
                   round(extract(epoch FROM next_attempt_at - now())::numeric, 1)::text
            FROM notification_outbox WHERE status <> 'sent' AND (last_error IS NOT NULL OR status <> 'pending')
            ORDER BY id LIMIT 10
            """,
            r => $"  {r.GetString(0)} {r.GetString(1)} attempts {r.GetInt32(2)}: {r.GetString(3)} (retry in {r.GetString(4)} s)");
        var lanes = await Db.QueryAsync(
            """
            SELECT webhook_id, round(extract(epoch FROM next_free_at - now())::numeric, 1),
                   round(extract(epoch FROM lease_until - now())::numeric, 1)
            FROM slack_webhook_lanes WHERE next_free_at > now() OR lease_until > now() ORDER BY webhook_id
            """,
            r => $"  {r.GetString(0)}: free in {r.GetValue(1)} s, leased for {r.GetValue(2)} s");
        return $"Outbox: {string.Join("; ", byStatus)}\nAttempts (attempts x rows): {attempts}\n" +
               $"Unsent rows with an error or not pending (first 10):\n{string.Join('\n', errors)}\n" +
               $"Lanes held or not free:\n{string.Join('\n', lanes)}";
    }
}
