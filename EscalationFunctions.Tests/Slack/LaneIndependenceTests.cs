using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Support;
using Xunit.Abstractions;

namespace EscalationFunctions.Tests.Slack;

/// <summary>
/// Reference §1.1 and §5.1 on real server processes: a slow, refusing or dead webhook holder delays
/// only its own webhook's messages, with the timer firing every second (each timer invocation has a
/// budget of 0.8 s and the background sender runs beside it).
/// </summary>
[Lane(TestLane.Process)]
public class LaneIndependenceTests(DatabaseFixture fixture, ITestOutputHelper output) : SlackTest(fixture)
{
    private static readonly string[] Healthy = Enumerable.Range(0, 8).Select(i => $"healthy{i}").ToArray();

    [Fact]
    public async Task A_webhook_that_answers_after_9_s_holds_up_no_other_and_a_refused_message_never_delays_its_webhooks_next_one()
    {
        string[] routes = [.. Healthy, "slow", "refusing"];
        await Incidents.InsertDueAsync(Db, 3 * routes.Length, i => routes[i % routes.Length]);
        Slack.SetDefault("slow", Reply.Slow(TimeSpan.FromSeconds(9)));
        Slack.Script("refusing", Reply.Status(400, "invalid_payload"));
        await using var server = await ServerProcess.StartAsync(SettingsWithWebhooks(routes, new()
        {
            [SettingNames.TickMs] = "1000",
            [SettingNames.SlackMinIntervalMs] = "1000", // Slack's pace, not the tests' quick one
            [SettingNames.SlackTimeoutMs] = "15000", // the 9 s answer is an answer, not a timeout
        }));

        await Eventually.TrueAsync(() => Task.FromResult(Slack.Posts.Count(p => p.Webhook != "slow") == 3 * (Healthy.Length + 1)),
            TimeSpan.FromSeconds(60), "every message of the healthy and the refusing webhooks posted");

        // Three posts a second apart take 2 s; from the run's first post, a webhook is done within twice that.
        // Before, each healthy webhook posted once per timer invocation and the last ones came 19 s in.
        var start = Slack.Posts.Min(p => p.At);
        foreach (var webhook in Healthy.Append("refusing"))
        {
            var done = Slack.PostsTo(webhook).Max(p => p.At) - start;
            output.WriteLine($"{webhook}: done {done.TotalSeconds:F1} s after the first post");
            Assert.True(done <= TimeSpan.FromSeconds(4), $"{webhook} was done {done.TotalSeconds:F1} s after the first post");
        }
        var refusing = Slack.PostsTo("refusing");
        Assert.Equal([400, 200, 200], refusing.Select(p => p.Reply.StatusCode));
        Assert.Equal(1, await Db.ScalarAsync<long>("SELECT count(*) FROM notification_outbox WHERE status = 'dead'"));
    }

    [Fact]
    public async Task When_the_instance_holding_a_webhook_is_killed_another_goes_on_posting_to_it_within_10_s()
    {
        await Incidents.InsertDueAsync(Db, 30, _ => "held");
        // Slow enough that the first instance is mid-lane when it is killed, quick enough to finish soon after.
        Slack.SetDefault("held", Reply.Slow(TimeSpan.FromMilliseconds(500)));
        var settings = SettingsWithWebhooks(["held"], new()
        {
            [SettingNames.TickMs] = "1000",
            [SettingNames.SlackMinIntervalMs] = "1000",
            [SettingNames.SlackDigestThreshold] = "1000",
            // Only the kill may leave an outcome unknown: a 500 ms answer that a loaded machine stretched
            // past the tests' 2 s timeout would be retried and repeat a page for another reason.
            [SettingNames.SlackTimeoutMs] = "20000",
        });
        var first = await ServerProcess.StartAsync(settings);
        await using var second = await ServerProcess.StartAsync(settings);
        try
        {
            // Two more posts once the second instance is up, well within the first one's lane horizon (10 s):
            // the first instance holds the webhook when it dies.
            var postsBefore = Slack.PostsTo("held").Count;
            await Eventually.TrueAsync(() => Task.FromResult(Slack.PostsTo("held").Count >= postsBefore + 2), TimeSpan.FromSeconds(60),
                "the first instance posting");
        }
        finally
        {
            first.Kill();
            await first.DisposeAsync();
        }
        var killedAt = DateTimeOffset.UtcNow;
        var postedBeforeKill = Slack.PostsTo("held").Count;

        await Eventually.TrueAsync(async () => await Db.ScalarAsync<long>("SELECT count(*) FROM notification_outbox WHERE status = 'pending'") == 0,
            TimeSpan.FromSeconds(90), "every page sent after the kill");

        var after = Slack.PostsTo("held").Where(p => p.At > killedAt).ToList();
        Assert.NotEmpty(after);
        var resumedIn = after.Min(p => p.At) - killedAt;
        output.WriteLine($"{postedBeforeKill} posts before the kill; the next came {resumedIn.TotalSeconds:F1} s after it");
        Assert.True(resumedIn <= TimeSpan.FromSeconds(10), $"the webhook resumed {resumedIn.TotalSeconds:F1} s after its holder was killed");
        // Every page went out; only a post in flight at the kill may repeat.
        var posts = Slack.PostsTo("held");
        Assert.Equal(30, posts.Select(p => p.DedupHeader).Distinct().Count());
        var repeated = posts.GroupBy(p => p.DedupHeader).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key} at {string.Join(", ", g.Select(p => $"{(p.At - killedAt).TotalSeconds:F1} s"))}").ToList();
        Assert.True(repeated.Count <= 1 && posts.Count - 30 <= 1,
            $"{posts.Count - 30} pages repeated (times from the kill): {string.Join("; ", repeated)}");
    }

    [Fact]
    public async Task A_click_answer_that_takes_9_s_holds_up_no_page()
    {
        await Incidents.InsertAsync(Db, "CLICKED-1", "payments", "critical", TimeSpan.FromMinutes(6));
        // The answer's first post fails, so the background sender retries it; the retry takes 9 s.
        Slack.Script(SlackStandIn.ResponseUrlPrefix + "slow", Reply.Status(503), Reply.Slow(TimeSpan.FromSeconds(9)));
        await using var server = await ServerProcess.StartAsync(SettingsWithWebhooks(Healthy, new()
        {
            [SettingNames.OpsHmacSecret] = OpsCall.Secret,
            [SettingNames.OpsTrustPrincipalHeader] = "true",
            [SettingNames.SlackSigningSecret] = SlackClick.Secret,
            [SettingNames.SlackResponseUrlHosts] = "127.0.0.1",
            [SettingNames.TickMs] = "86400000", // no timer: the background sender alone delivers
            [SettingNames.SlackTimeoutMs] = "15000", // the 9 s answer is an answer, not a timeout
        }));
        using var client = new HttpClient { BaseAddress = server.BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
        var click = await OpsCall.SendAsync(client, SlackClick.Signed("/slack/interactions",
            SlackClick.FormBody(SlackClick.Payload("CLICKED-1", Slack.ResponseUrl("slow")))));
        Assert.Equal(200, click.Status);
        await Eventually.TrueAsync(() => Task.FromResult(Slack.ResponsesTo("slow").Count == 2), TimeSpan.FromSeconds(30), "the answer's slow retry in flight");

        await Incidents.InsertDueAsync(Db, Healthy.Length, i => Healthy[i]);
        var tickedAt = DateTimeOffset.UtcNow;
        Assert.Equal(200, (await OpsCall.SendAsync(client, OpsCall.Signed("/ops/escalation/tick"))).Status);
        await Eventually.TrueAsync(() => Task.FromResult(Healthy.All(h => Slack.PostsTo(h).Count == 1)), TimeSpan.FromSeconds(30), "every page posted");

        var pagesDone = Healthy.Max(h => Slack.PostsTo(h)[0].At) - tickedAt;
        var answerDone = Slack.ResponsesTo("slow")[1].At + TimeSpan.FromSeconds(9) - tickedAt;
        output.WriteLine($"pages done {pagesDone.TotalSeconds:F1} s after the tick; the slow answer ends {answerDone.TotalSeconds:F1} s after it");
        Assert.True(pagesDone < answerDone - TimeSpan.FromSeconds(3), $"the pages waited for the click answer: done {pagesDone.TotalSeconds:F1} s after the tick");
    }
}
