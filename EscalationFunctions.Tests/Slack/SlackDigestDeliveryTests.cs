using System.Security.Cryptography;
using System.Text;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Engine.Telemetry;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Support;

namespace EscalationFunctions.Tests.Slack;

/// <summary>Reference §5.2 over real HTTP: a storm on one webhook goes out as digests, each escalation in exactly one successful post.</summary>
[Lane(TestLane.Database)]
public class SlackDigestDeliveryTests(DatabaseFixture fixture) : SlackTest(fixture)
{
    private Dictionary<string, string> Settings(params string[] routes) => SettingsWithWebhooks(routes, new()
    {
        [SettingNames.SlackDigestThreshold] = "5",
        [SettingNames.SlackDigestMax] = "20",
    });

    private Task<List<string>> OutboxKeysOldestFirstAsync(string route) =>
        Db.QueryAsync("SELECT dedup_key FROM notification_outbox WHERE route = @r ORDER BY id", r => r.GetString(0), ("r", route));

    /// <summary>The spec's formula, written out here rather than borrowed from the engine.</summary>
    private static string DigestKey(IEnumerable<string> memberKeys) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join(",", memberKeys.Order(StringComparer.Ordinal)))));

    [Fact]
    public async Task A_storm_goes_out_as_digests_of_at_most_the_max_oldest_first_then_single_messages_once_few_wait()
    {
        // 43 waiting: 20, 20, then 3 (not more than the threshold of 5) one by one.
        await Incidents.InsertDueAsync(Db, 43, _ => "storm");
        await Incidents.InsertDueAsync(Db, 2, _ => "calm", prefix: "CALM");
        await using var engine = InProcessEngine.Create(Settings("storm", "calm"));

        await engine.Ticker.TickAsync();
        await engine.Dispatcher.DrainAsync(CancellationToken.None);

        var posts = Slack.PostsTo("storm");
        Assert.All(posts, p => Assert.True(p.Accepted));
        Assert.Equal([20, 20, 1, 1, 1], posts.Select(p => p.MemberKeys.Count));
        // Oldest first, and every escalation in exactly one post.
        Assert.Equal(await OutboxKeysOldestFirstAsync("storm"), posts.SelectMany(p => p.MemberKeys));
        foreach (var digest in posts.Take(2))
        {
            var json = BlockKitAssert.WithinLimits(digest.Body, "a digest");
            Assert.Equal(DigestKey(digest.MemberKeys), json.GetProperty("dedup_key").GetString());
            Assert.Equal(DigestKey(digest.MemberKeys), digest.DedupHeader);
            Assert.Equal(20, BlockKitAssert.Buttons(json).Count);
        }
        foreach (var single in posts.Skip(2))
        {
            Assert.False(single.Json.TryGetProperty("dedup_keys", out _));
            Assert.Equal(single.Json.GetProperty("dedup_key").GetString(), single.DedupHeader);
        }

        // Another webhook's two messages are not a storm.
        Assert.Equal([1, 1], Slack.PostsTo("calm").Select(p => p.MemberKeys.Count));
        Assert.Equal(45, await Db.ScalarAsync<long>("SELECT count(*) FROM notification_outbox WHERE status = 'sent'"));
    }

    [Fact]
    public async Task At_the_defaults_a_storm_goes_out_in_digests_of_40()
    {
        // Reference §5.2: SLACK_DIGEST_MAX 40 (20 in 1.1) and SLACK_DIGEST_THRESHOLD 5 when neither is set.
        await Incidents.InsertDueAsync(Db, 85, _ => "storm");
        var env = SettingsWithWebhooks(["storm"]);
        env.Remove(SettingNames.SlackDigestThreshold);
        Assert.False(env.ContainsKey(SettingNames.SlackDigestMax));
        await using var engine = InProcessEngine.Create(env);

        await engine.Ticker.TickAsync();
        await engine.Dispatcher.DrainAsync(CancellationToken.None);

        Assert.Equal([40, 40, 1, 1, 1, 1, 1], Slack.PostsTo("storm").Select(p => p.MemberKeys.Count));
        Assert.Equal(await OutboxKeysOldestFirstAsync("storm"), Slack.PostsTo("storm").SelectMany(p => p.MemberKeys));
    }

    [Fact]
    public async Task Exactly_the_threshold_waiting_goes_out_as_single_messages()
    {
        await Incidents.InsertDueAsync(Db, 5, _ => "edge");
        await using var engine = InProcessEngine.Create(Settings("edge"));

        await engine.Ticker.TickAsync();
        await engine.Dispatcher.DrainAsync(CancellationToken.None);

        Assert.Equal([1, 1, 1, 1, 1], Slack.PostsTo("edge").Select(p => p.MemberKeys.Count));
    }

    [Fact]
    public async Task A_digest_that_fails_is_retried_whole_and_one_that_is_refused_dead_letters_its_members_at_once()
    {
        await Incidents.InsertDueAsync(Db, 12, _ => "flaky", prefix: "FLAKY");
        await Incidents.InsertDueAsync(Db, 12, _ => "refusing", prefix: "REFUSED");
        Slack.Script("flaky", Reply.Status(503));
        Slack.Script("refusing", Reply.Status(400, "invalid_blocks"));
        await using var engine = InProcessEngine.Create(Settings("flaky", "refusing"));

        await engine.Ticker.TickAsync();
        await Eventually.TrueAsync(async () =>
        {
            await engine.Dispatcher.DrainAsync(CancellationToken.None);
            return await Db.ScalarAsync<long>("SELECT count(*) FROM notification_outbox WHERE status = 'pending'") == 0;
        }, TimeSpan.FromSeconds(60), "nothing pending");

        // The failed digest's 12 were posted again (as one digest: still more than 5 waiting) and delivered once.
        var flaky = Slack.PostsTo("flaky");
        Assert.Equal(2, flaky.Count);
        Assert.Equal(flaky[0].MemberKeys, flaky[1].MemberKeys);
        Assert.Equal(12, flaky[1].MemberKeys.Distinct().Count());
        Assert.True(flaky[1].Accepted);

        // The refused digest: all twelve dead with Slack's answer, none posted again.
        Assert.Single(Slack.PostsTo("refusing"));
        var dead = await Db.QueryAsync("SELECT last_error FROM notification_outbox WHERE status = 'dead'", r => r.GetString(0));
        Assert.Equal(12, dead.Count);
        Assert.All(dead, e => Assert.Contains("invalid_blocks", e));
        Assert.Equal(2, engine.Metrics.Sum(MetricNames.SlackSendFailures));
    }
}
