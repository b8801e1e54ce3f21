using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Support;

namespace EscalationFunctions.Tests.Slack;

/// <summary>
/// Reference §5.1 with real server processes: four instances share one pace per webhook, against a
/// stand-in that answers 429 to any post less than a second after the last one it accepted.
/// </summary>
[Lane(TestLane.Process)]
public class SlackScaleOutTests(DatabaseFixture fixture) : SlackTest(fixture)
{
    private const int Instances = 4;
    private const int Webhooks = 20;
    private const int MessagesPerWebhook = 3;

    [Fact]
    public async Task Four_instances_keep_one_pace_per_webhook_with_no_429_nothing_lost_and_nothing_duplicated()
    {
        var routes = Enumerable.Range(0, Webhooks).Select(i => $"route-{i:D2}").ToArray();
        const int total = Webhooks * MessagesPerWebhook;
        await Incidents.InsertDueAsync(Db, total, i => routes[i % Webhooks]);
        Slack.EnforcedInterval = TimeSpan.FromSeconds(1);
        var env = SettingsWithWebhooks(routes, new()
        {
            [SettingNames.SlackMinIntervalMs] = "1000",
            [SettingNames.SlackTimeoutMs] = "5000",
            [SettingNames.TickMs] = "500",
        });

        var servers = await Task.WhenAll(Enumerable.Range(0, Instances).Select(_ => ServerProcess.StartAsync(env)));
        try
        {
            await Eventually.TrueAsync(async () =>
                    await Db.ScalarAsync<long>("SELECT count(*) FROM notification_outbox WHERE status = 'sent'") == total,
                TimeSpan.FromSeconds(120), $"all {total} messages sent");
            Assert.Equal(Instances, await Db.ScalarAsync<long>("SELECT count(*) FROM escalation_ticks"));
        }
        finally
        {
            await Task.WhenAll(servers.Select(s => s.StopAsync()));
            foreach (var server in servers)
            {
                await server.DisposeAsync();
            }
        }

        var posts = Slack.Posts;
        var tooSoon = posts.Where(p => p.Reply.Kind == ReplyKind.RateLimited).ToList();
        Assert.True(tooSoon.Count == 0, $"{tooSoon.Count} posts came less than a second after the last one to their webhook");
        Assert.Equal(total, posts.Count);
        Assert.All(posts, p => Assert.True(p.Accepted));
        Assert.Equal(total, posts.Select(p => p.DedupHeader).Distinct().Count());
        var keys = await Db.QueryAsync("SELECT dedup_key FROM notification_outbox", r => r.GetString(0));
        Assert.Equal(keys.Order(), posts.Select(p => p.DedupHeader).Order());
    }
}
