using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Engine.Telemetry;
using EscalationFunctions.Engine.Tick;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Support;

namespace EscalationFunctions.Tests.Slack;

/// <summary>Slack answering 500, 429 with Retry-After, or not at all: every page still arrives, with its dedup key.</summary>
[Lane(TestLane.Database)]
public class SlackFaultTests(DatabaseFixture fixture) : SlackTest(fixture)
{
    private Dictionary<string, string> Settings(params string[] routes) => SettingsWithWebhooks(routes, new()
    {
        [SettingNames.SlackTimeoutMs] = "500",
        [SettingNames.SlackMaxAttempts] = "4",
    });

    /// <summary>Runs the sender until nothing is pending (retries included) or the deadline passes.</summary>
    private async Task DeliverAllAsync(InProcessEngine engine)
    {
        await Eventually.TrueAsync(async () =>
        {
            await engine.Dispatcher.DrainAsync(CancellationToken.None);
            return await Db.ScalarAsync<long>("SELECT count(*) FROM notification_outbox WHERE status = 'pending'") == 0;
        }, TimeSpan.FromSeconds(60), "every notification is sent or dead-lettered");
    }

    [Fact]
    public async Task Errors_rate_limits_and_hangs_are_retried_until_delivered_with_the_same_dedup_key()
    {
        await Incidents.InsertDueAsync(Db, 3, i => new[] { "flaky", "limited", "hanging" }[i]);
        Slack.Script("flaky", Reply.Status(500), Reply.Status(503));
        Slack.Script("limited", Reply.RateLimited(TimeSpan.FromSeconds(1)));
        Slack.Script("hanging", Reply.Hang(TimeSpan.FromSeconds(30)));
        await using var engine = InProcessEngine.Create(Settings("flaky", "limited", "hanging"));

        await engine.Ticker.TickAsync();
        await DeliverAllAsync(engine);

        Assert.Equal(3, await Db.ScalarAsync<long>("SELECT count(*) FROM notification_outbox WHERE status = 'sent'"));
        foreach (var (route, expectedPosts) in new[] { ("flaky", 3), ("limited", 2), ("hanging", 2) })
        {
            var posts = Slack.PostsTo(route);
            var key = await Db.ScalarAsync<string>("SELECT incident_key FROM incidents WHERE route = @r", ("r", route));
            Assert.Equal(expectedPosts, posts.Count);
            Assert.All(posts, p => Assert.Equal(EscalationHash.Of(key, 1), p.DedupHeader));
            Assert.All(posts, p => Assert.Equal(EscalationHash.Of(key, 1), p.Json.GetProperty("dedup_key").GetString()));
            Assert.Single(posts, p => p.Accepted);
            Assert.True(posts[^1].Accepted);
        }

        // The 429 asked for 1 s: the retry did not come sooner.
        var limited = Slack.PostsTo("limited");
        Assert.True(limited[1].At - limited[0].At >= TimeSpan.FromMilliseconds(950), $"retried after {(limited[1].At - limited[0].At).TotalMilliseconds} ms");
        Assert.Equal(4, engine.Metrics.Sum(MetricNames.SlackSendFailures));
    }

    [Fact]
    public async Task A_webhook_that_always_fails_is_dead_lettered_and_counted_without_holding_up_another_route()
    {
        await Incidents.InsertDueAsync(Db, 1, _ => "broken", prefix: "BROKEN");
        await Incidents.InsertDueAsync(Db, 10, _ => "healthy", prefix: "HEALTHY");
        Slack.SetDefault("broken", Reply.Hang(TimeSpan.FromSeconds(30)));
        var env = Settings("broken", "healthy");
        env[SettingNames.SlackTimeoutMs] = "1500";
        await using var engine = InProcessEngine.Create(env);

        await engine.Ticker.TickAsync();
        await DeliverAllAsync(engine);

        var dead = await Db.QueryAsync("SELECT incident_key, attempts, last_error FROM notification_outbox WHERE status = 'dead'",
            r => (Key: r.GetString(0), Attempts: r.GetInt32(1), Error: r.GetString(2)));
        var only = Assert.Single(dead);
        Assert.Equal(("BROKEN-0", 4), (only.Key, only.Attempts));
        Assert.Contains("no answer within 1500 ms", only.Error);
        Assert.Equal(4, Slack.PostsTo("broken").Count);
        Assert.Equal(4, engine.Metrics.Sum(MetricNames.SlackSendFailures));
        Assert.Contains(engine.Logs.Lines, l => l.Contains("dead-lettered") && l.Contains("BROKEN-0"));

        // All healthy pages arrived while the broken webhook was still hanging on its first attempt. Ten pages
        // at the 20 ms test pacing take about 0.2 s of the 1.5 s, leaving room for a slow CI machine.
        var healthy = Slack.PostsTo("healthy");
        Assert.Equal(10, healthy.Count(p => p.Accepted));
        Assert.True(healthy.Max(p => p.At) < Slack.PostsTo("broken")[0].At + TimeSpan.FromMilliseconds(1500),
            "the healthy route waited for the broken one");
    }

    [Fact]
    public async Task Posts_to_one_webhook_are_spaced_by_the_minimum_interval_and_meet_no_rate_limit()
    {
        await Incidents.InsertDueAsync(Db, 6, _ => "paced");
        Slack.EnforcedInterval = TimeSpan.FromMilliseconds(200);
        var env = Settings("paced");
        // 150 ms of headroom over the stand-in's limit absorbs loopback jitter on a busy test machine.
        env[SettingNames.SlackMinIntervalMs] = "350";
        await using var engine = InProcessEngine.Create(env);

        await engine.Ticker.TickAsync();
        await DeliverAllAsync(engine);

        var posts = Slack.PostsTo("paced");
        Assert.Equal(6, posts.Count);
        Assert.All(posts, p => Assert.True(p.Accepted));
        var gaps = posts.Zip(posts.Skip(1), (a, b) => (b.At - a.At).TotalMilliseconds).ToList();
        Assert.All(gaps, gap => Assert.True(gap >= 200, $"gaps {string.Join(", ", gaps)} ms"));
    }
}
