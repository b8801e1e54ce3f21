using System.Text.Json;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Support;

namespace EscalationFunctions.Tests.Ops;

[Lane(TestLane.Database)]
public class OpsHealthTests(DatabaseFixture fixture) : DatabaseTest(fixture)
{
    private static readonly string[] SpecFields =
        ["enabled", "v1", "canaryPct", "tickLagMs", "dryRun", "paused", "lastTickAt", "pendingNotifications"];

    private static async Task<JsonElement> HealthAsync(HttpClient client)
    {
        var answer = await OpsCall.SendAsync(client, new HttpRequestMessage(HttpMethod.Get, "/ops/escalation/health"));
        Assert.Equal(200, answer.Status);
        foreach (var field in SpecFields)
        {
            Assert.True(answer.Json.TryGetProperty(field, out _), $"health lacks '{field}': {answer.Raw}");
        }
        return answer.Json;
    }

    [Fact]
    public async Task Health_reflects_enabled_v1_canary_dry_run_and_paused()
    {
        await using (var defaults = await InProcessServer.StartAsync(OpsTestSettings.For(Db)))
        {
            var json = await HealthAsync(defaults.Client);
            Assert.True(json.GetProperty("enabled").GetBoolean());
            Assert.True(json.GetProperty("v1").GetBoolean());
            Assert.Equal(100, json.GetProperty("canaryPct").GetInt32());
            Assert.False(json.GetProperty("dryRun").GetBoolean());
            Assert.False(json.GetProperty("paused").GetBoolean());
        }

        await using var changed = await InProcessServer.StartAsync(OpsTestSettings.For(Db, new()
        {
            [SettingNames.WorkerEnabled] = "false",
            [SettingNames.V1] = "false",
            [SettingNames.CanaryPercent] = "10",
            [SettingNames.DryRun] = "true",
            [SettingNames.PauseCron] = "* * * * *",
            [SettingNames.PauseDurationMinutes] = "5",
        }));
        var health = await HealthAsync(changed.Client);
        Assert.False(health.GetProperty("enabled").GetBoolean());
        Assert.False(health.GetProperty("v1").GetBoolean());
        Assert.Equal(10, health.GetProperty("canaryPct").GetInt32());
        Assert.True(health.GetProperty("dryRun").GetBoolean());
        Assert.True(health.GetProperty("paused").GetBoolean());
    }

    [Fact]
    public async Task Tick_lag_is_null_before_the_first_tick_then_small_while_ticking_and_growing_once_ticks_stop()
    {
        await using var observer = await InProcessServer.StartAsync(OpsTestSettings.For(Db, new() { [SettingNames.WorkerEnabled] = "false" }));
        var beforeAnyTick = await HealthAsync(observer.Client);
        Assert.Equal(JsonValueKind.Null, beforeAnyTick.GetProperty("tickLagMs").ValueKind);
        Assert.Equal(JsonValueKind.Null, beforeAnyTick.GetProperty("lastTickAt").ValueKind);

        await using (var ticking = await InProcessServer.StartAsync(OpsTestSettings.For(Db, new() { [SettingNames.TickMs] = "200" })))
        {
            await Eventually.TrueAsync(async () => (await HealthAsync(observer.Client)).GetProperty("lastTickAt").ValueKind != JsonValueKind.Null,
                TimeSpan.FromSeconds(20), "a tick completed");
            Assert.InRange((await HealthAsync(observer.Client)).GetProperty("tickLagMs").GetDouble(), 0, 10_000);
        }

        var first = await HealthAsync(observer.Client);
        // Time passing is what is measured: the lag is the database's clock minus the last tick.
        await Task.Delay(1500);
        var second = await HealthAsync(observer.Client);
        Assert.Equal(first.GetProperty("lastTickAt").GetString(), second.GetProperty("lastTickAt").GetString());
        Assert.True(second.GetProperty("tickLagMs").GetDouble() >= first.GetProperty("tickLagMs").GetDouble() + 1000,
            $"tickLagMs went from {first.GetProperty("tickLagMs")} to {second.GetProperty("tickLagMs")}");
    }

    [Fact]
    public async Task Pending_notifications_counts_the_messages_not_yet_sent()
    {
        await using var slack = await SlackStandIn.StartAsync();
        slack.SetDefault("global", Reply.Status(500));
        await Incidents.InsertDueAsync(Db, 4);
        // Ticks are driven by hand; the server's sender keeps failing and waits an hour between tries.
        var env = TestSettings.Environment(Db, slack, new()
        {
            [SettingNames.TickMs] = "86400000",
            [SettingNames.SlackRetryBaseMs] = "3600000",
        });
        await using var server = await InProcessServer.StartAsync(env);
        Assert.Equal(0, (await HealthAsync(server.Client)).GetProperty("pendingNotifications").GetInt64());

        await using (var engine = InProcessEngine.Create(env))
        {
            Assert.Equal(4, (await engine.Ticker.TickAsync()).Escalations);
        }
        // The first post fails; the webhook is held until its retry, and the other three wait with it.
        // (The retry delay is capped at 10 minutes, with jitter: at least 8 minutes away.)
        await Eventually.TrueAsync(async () => await Db.ScalarAsync<long>(
                """
                SELECT count(*) FROM notification_outbox
                WHERE lease_until IS NULL AND EXISTS (SELECT FROM slack_webhook_lanes WHERE next_free_at > now() + interval '5 minutes')
                """) == 4,
            TimeSpan.FromSeconds(20), "every message waits for the webhook's retry");
        Assert.Single(slack.Posts);

        var health = await HealthAsync(server.Client);
        Assert.Equal(4, health.GetProperty("pendingNotifications").GetInt64());
        Assert.Equal(0, health.GetProperty("deadNotifications").GetInt64());

        // The lag is the age of the oldest waiting message: made two minutes older, it is at least that.
        await Db.ExecuteAsync("UPDATE notification_outbox SET created_at = created_at - interval '2 minutes' WHERE status = 'pending'");
        Assert.InRange((await HealthAsync(server.Client)).GetProperty("queueLagMs").GetDouble(), 120_000, 180_000);
    }

    [Fact]
    public async Task Superseded_notifications_are_counted_apart_neither_pending_nor_dead_nor_in_the_queue_lag()
    {
        await Incidents.InsertDueAsync(Db, 3);
        await using (var engine = InProcessEngine.Create(OpsTestSettings.For(Db)))
        {
            Assert.Equal(3, (await engine.Ticker.TickAsync()).Escalations);
        }
        // Two queued an hour ago and set aside by the sender since (reference §5.6); one queued just now,
        // still pending (its retry an hour away, so the server's own sender leaves it be).
        await Db.ExecuteAsync(
            """
            UPDATE notification_outbox SET created_at = now() - interval '1 hour', status = 'superseded', superseded_at = now()
            WHERE incident_key IN ('INC-0', 'INC-1');
            UPDATE notification_outbox SET next_attempt_at = now() + interval '1 hour' WHERE incident_key = 'INC-2';
            """);
        await using var server = await InProcessServer.StartAsync(OpsTestSettings.For(Db));

        var health = await HealthAsync(server.Client);

        Assert.Equal(1, health.GetProperty("pendingNotifications").GetInt64());
        Assert.Equal(0, health.GetProperty("deadNotifications").GetInt64());
        Assert.Equal(2, health.GetProperty("supersededNotifications").GetInt64());
        Assert.True(health.GetProperty("queueLagMs").GetDouble() < 30 * 60_000, $"queueLagMs {health.GetProperty("queueLagMs")} counts the superseded");
    }

    [Fact]
    public async Task Click_answers_are_counted_with_the_pages_in_pending_dead_and_the_queue_lag()
    {
        // One queue (reference §5.7): a click answer waiting for its retry since 40 minutes ago, and a dead one; no page at all.
        await Db.ExecuteAsync(
            """
            INSERT INTO notification_outbox (kind, incident_key, destination, body, status, created_at, next_attempt_at, expires_at)
            VALUES ('click_answer', 'INC-1', 'https://hooks.slack.com/actions/T0/1/x', '{}', 'pending', now() - interval '40 minutes',
                    now() + interval '1 hour', now() + interval '1 hour');
            INSERT INTO notification_outbox (kind, incident_key, body, status, attempts, last_error, dead_at)
            VALUES ('click_answer', 'INC-2', '{}', 'dead', 1, 'HTTP 404 Not Found', now());
            """);
        await using var server = await InProcessServer.StartAsync(OpsTestSettings.For(Db));

        var health = await HealthAsync(server.Client);

        Assert.Equal(1, health.GetProperty("pendingNotifications").GetInt64());
        Assert.Equal(1, health.GetProperty("deadNotifications").GetInt64());
        Assert.InRange(health.GetProperty("queueLagMs").GetDouble(), 39 * 60_000, 60 * 60_000);
    }

    [Fact]
    public async Task A_quarantined_incident_shows_in_the_tick_answer_and_in_health_until_its_row_is_updated()
    {
        await Incidents.InsertDueAsync(Db, 3);
        // INC-0's level-1 message is already queued (without its event): escalating it breaks the outbox's unique index.
        await Db.ExecuteAsync(
            "INSERT INTO notification_outbox (dedup_key, incident_key, level, route, severity, title) VALUES ('old', 'INC-0', 1, 'default', 'warning', '')");
        await using var server = await InProcessServer.StartAsync(OpsTestSettings.For(Db));

        var tick = await OpsCall.SendAsync(server.Client, OpsCall.Signed("/ops/escalation/tick"));

        Assert.Equal(200, tick.Status);
        Assert.Equal((2, 1), (tick.Json.GetProperty("escalations").GetInt32(), tick.Json.GetProperty("quarantined").GetInt32()));
        Assert.Equal(1, (await HealthAsync(server.Client)).GetProperty("quarantinedIncidents").GetInt64());
        // One JSON shape: the heartbeat row stores what the tick answered (it stored "Ran" where the answer said "ran").
        var stored = JsonDocument.Parse(await Db.ScalarAsync<string>("SELECT last_result::text FROM escalation_ticks")).RootElement;
        Assert.Equal(tick.Json.EnumerateObject().Select(p => p.Name).Order(), stored.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal("ran", stored.GetProperty("outcome").GetString());
        Assert.Equal(tick.Json.GetProperty("quarantined").GetInt32(), stored.GetProperty("quarantined").GetInt32());

        await Db.ExecuteAsync("UPDATE incidents SET title = 'looked at' WHERE incident_key = 'INC-0'");
        Assert.Equal(0, (await HealthAsync(server.Client)).GetProperty("quarantinedIncidents").GetInt64());
    }
}
