using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Engine.Status;
using EscalationFunctions.Engine.Telemetry;
using EscalationFunctions.Engine.Tick;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Support;

namespace EscalationFunctions.Tests.Slack;

/// <summary>
/// Reference §5.3 over real HTTP: redirects never followed, permanent refusals dead-lettered at once while
/// the webhook's next messages go on, and a slow webhook shared by two instances posted to once per message.
/// </summary>
[Lane(TestLane.Database)]
public class SlackOutcomeTests(DatabaseFixture fixture) : SlackTest(fixture)
{
    private Dictionary<string, string> Settings(params string[] routes) => SettingsWithWebhooks(routes);

    private sealed record OutboxRow(string IncidentKey, string DedupKey, string Status, int Attempts, string? Error, DateTime? DeadAt);

    private Task<List<OutboxRow>> OutboxAsync() => Db.QueryAsync(
        "SELECT incident_key, dedup_key, status, attempts, last_error, dead_at FROM notification_outbox ORDER BY id",
        r => new OutboxRow(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt32(3),
            r.IsDBNull(4) ? null : r.GetString(4), r.IsDBNull(5) ? null : r.GetDateTime(5)));

    [Theory]
    [InlineData(301)]
    [InlineData(302)]
    [InlineData(303)]
    [InlineData(307)]
    [InlineData(308)]
    public async Task A_redirect_is_never_followed_and_the_message_is_dead_lettered(int status)
    {
        await using var elsewhere = await SlackStandIn.StartAsync();
        await Incidents.InsertDueAsync(Db, 1, _ => "moved");
        Slack.SetDefault("moved", Reply.Redirect(status, elsewhere.WebhookUrl("stolen")));
        await using var engine = InProcessEngine.Create(Settings("moved"));

        await engine.Ticker.TickAsync();
        await engine.Dispatcher.DrainAsync(CancellationToken.None);

        Assert.Empty(elsewhere.Posts);
        Assert.Single(Slack.PostsTo("moved"));
        var row = Assert.Single(await OutboxAsync());
        Assert.Equal(("dead", 1), (row.Status, row.Attempts));
        Assert.Contains($"HTTP {status}", row.Error);
        Assert.Contains("redirects are never followed", row.Error);
        Assert.DoesNotContain(Slack.BaseUrl.Authority, row.Error);
        Assert.Equal(1, engine.Metrics.Sum(MetricNames.SlackSendFailures));
        Assert.Equal(1, (await engine.Get<WorkerStatusReader>().ReadAsync(CancellationToken.None)).DeadNotifications);
    }

    [Theory]
    [InlineData(400, "invalid_payload")]
    [InlineData(401, "invalid_token")]
    [InlineData(403, "action_prohibited")]
    [InlineData(404, "no_service")]
    [InlineData(405, "")]
    [InlineData(410, "channel_is_archived")]
    [InlineData(413, "")]
    [InlineData(422, "invalid_blocks")]
    public async Task A_permanent_refusal_is_dead_at_once_with_the_answer_and_the_webhooks_next_messages_go_out(int status, string answer)
    {
        await Incidents.InsertDueAsync(Db, 4, _ => "refusing");
        Slack.Script("refusing", Reply.Status(status, answer));
        await using var engine = InProcessEngine.Create(Settings("refusing"));

        await engine.Ticker.TickAsync();
        await engine.Dispatcher.DrainAsync(CancellationToken.None);

        var posts = Slack.PostsTo("refusing");
        Assert.Equal(4, posts.Count);
        var rows = await OutboxAsync();
        var dead = Assert.Single(rows, r => r.Status == "dead");
        Assert.Equal(3, rows.Count(r => r.Status == "sent"));
        Assert.Equal(posts[0].DedupHeader, dead.DedupKey);
        Assert.Equal(1, dead.Attempts);
        Assert.StartsWith($"HTTP {status}", dead.Error);
        Assert.Contains(answer, dead.Error);

        // Dead as soon as the answer came: before the webhook's next message left, and well within the
        // retry timing a transient failure would have had (a generous bound for a loaded machine).
        var deadAt = new DateTimeOffset(DateTime.SpecifyKind(dead.DeadAt!.Value, DateTimeKind.Utc));
        Assert.True(deadAt < posts[1].At, $"dead at {deadAt:O}, next post at {posts[1].At:O}");
        Assert.True(deadAt - posts[0].At < TimeSpan.FromSeconds(5), $"answered at {posts[0].At:O}, dead at {deadAt:O}");

        Assert.Equal(1, engine.Metrics.Sum(MetricNames.SlackSendFailures));
        Assert.Contains(engine.Logs.Lines, l => l.Contains("refused") && l.Contains(dead.IncidentKey) && l.Contains($"HTTP {status}"));
        Assert.Equal(1, (await engine.Get<WorkerStatusReader>().ReadAsync(CancellationToken.None)).DeadNotifications);
    }

    [Fact]
    public async Task A_slow_webhook_shared_by_two_instances_gets_each_message_once_although_its_lane_outlives_a_lease()
    {
        // 8 posts answered after 2.5 s each take about 20 s: longer than a lease (15 s here) and than
        // one lane's turn (10 s), so lanes are renewed and change hands between the instances.
        const int messages = 8;
        await Incidents.InsertDueAsync(Db, messages, _ => "slow");
        Slack.SetDefault("slow", Reply.Slow(TimeSpan.FromMilliseconds(2500)));
        var env = Settings("slow");
        env[SettingNames.SlackTimeoutMs] = "5000";
        env[SettingNames.SlackMinIntervalMs] = "200";
        Slack.EnforcedInterval = TimeSpan.FromMilliseconds(200);
        await using var first = InProcessEngine.Create(env, instanceId: "instance-a");
        await using var second = InProcessEngine.Create(env, instanceId: "instance-b");

        await first.Ticker.TickAsync();
        await Task.WhenAll(new[] { first, second }.Select(engine => Task.Run(() => Eventually.TrueAsync(async () =>
        {
            await engine.Dispatcher.DrainAsync(CancellationToken.None);
            return await Db.ScalarAsync<long>("SELECT count(*) FROM notification_outbox WHERE status <> 'sent'") == 0;
        }, TimeSpan.FromSeconds(120), "every message sent"))));

        var posts = Slack.PostsTo("slow");
        Assert.Equal(messages, posts.Count);
        Assert.All(posts, p => Assert.True(p.Accepted));
        Assert.Equal(messages, posts.Select(p => p.DedupHeader).Distinct().Count());
    }

    [Fact]
    public async Task The_timer_invocation_delivers_after_its_tick_without_the_background_sender()
    {
        await Incidents.InsertDueAsync(Db, 5, _ => "paged");
        await using var engine = InProcessEngine.Create(Settings("paged"));

        var tick = await engine.Get<TimerInvocation>().RunAsync(CancellationToken.None);

        // No background sender runs in this host: whatever arrived, the invocation posted.
        Assert.Equal(5, tick.Escalations);
        Assert.Equal(5, Slack.PostsTo("paged").Count(p => p.Accepted));
        Assert.Equal(5, await Db.ScalarAsync<long>("SELECT count(*) FROM notification_outbox WHERE status = 'sent'"));
    }

    [Fact]
    public async Task A_tick_that_fails_after_committing_still_has_its_pages_delivered_by_the_same_invocation()
    {
        await Incidents.InsertDueAsync(Db, 3, _ => "paged");
        // The tick's last write, its heartbeat, fails: the escalations are committed, the tick throws.
        await Db.ExecuteAsync(
            """
            CREATE FUNCTION test_refuse_heartbeat() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'heartbeat refused by the test'; END $$;
            CREATE TRIGGER test_refuse_heartbeat BEFORE INSERT OR UPDATE ON escalation_ticks
                FOR EACH ROW EXECUTE FUNCTION test_refuse_heartbeat();
            """);
        try
        {
            await using var engine = InProcessEngine.Create(Settings("paged"));

            var failure = await Assert.ThrowsAnyAsync<Exception>(() => engine.Get<TimerInvocation>().RunAsync(CancellationToken.None));

            Assert.Contains("heartbeat refused by the test", failure.Message);
            Assert.Equal(3, Slack.PostsTo("paged").Count(p => p.Accepted));
            Assert.Equal(3, await Db.ScalarAsync<long>("SELECT count(*) FROM notification_outbox WHERE status = 'sent'"));
        }
        finally
        {
            await Db.ExecuteAsync("DROP TRIGGER test_refuse_heartbeat ON escalation_ticks; DROP FUNCTION test_refuse_heartbeat();");
        }
    }

    [Fact]
    public async Task The_timer_invocation_stops_posting_when_its_budget_is_spent_and_the_next_ones_finish_the_outbox()
    {
        // ESC_TICK_MS 1000: a budget of 800 ms, against six posts of 500 ms each.
        await Incidents.InsertDueAsync(Db, 6, _ => "slow");
        Slack.SetDefault("slow", Reply.Slow(TimeSpan.FromMilliseconds(500)));
        var env = Settings("slow");
        env[SettingNames.TickMs] = "1000";
        env[SettingNames.SlackTimeoutMs] = "20000"; // a 500 ms answer stretched by a loaded machine is not a timeout to retry
        await using var engine = InProcessEngine.Create(env);
        var cycle = engine.Get<TimerInvocation>();

        await cycle.RunAsync(CancellationToken.None);
        Assert.True(await Db.ScalarAsync<long>("SELECT count(*) FROM notification_outbox WHERE status = 'pending'") > 0,
            "the invocation went on past its budget");

        await Eventually.TrueAsync(async () =>
        {
            await cycle.RunAsync(CancellationToken.None);
            return await Db.ScalarAsync<long>("SELECT count(*) FROM notification_outbox WHERE status = 'pending'") == 0;
        }, TimeSpan.FromSeconds(60), "later invocations deliver the rest");
        var posts = Slack.PostsTo("slow");
        Assert.Equal(6, posts.Count);
        Assert.Equal(6, posts.Select(p => p.DedupHeader).Distinct().Count());
    }
}
