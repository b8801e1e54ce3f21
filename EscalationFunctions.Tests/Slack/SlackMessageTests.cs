using System.Text.Json;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Engine.Tick;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Support;

namespace EscalationFunctions.Tests.Slack;

[Lane(TestLane.Database)]
public class SlackMessageTests(DatabaseFixture fixture) : SlackTest(fixture)
{
    [Fact]
    public async Task The_post_carries_text_blocks_with_a_button_to_the_incident_and_the_dedup_key_in_body_and_header()
    {
        await Incidents.InsertAsync(Db, "INC 7/ü", "payments", "critical", TimeSpan.FromMinutes(6), title: "DB <primary> & replica down");
        var env = TestSettings.Environment(Db, Slack, new()
        {
            [SettingNames.SlackRouteWebhooks] = JsonSerializer.Serialize(new Dictionary<string, string> { ["payments"] = Slack.WebhookUrl("payments").AbsoluteUri }),
        });
        await using var engine = InProcessEngine.Create(env);

        await engine.Ticker.TickAsync();
        await engine.Dispatcher.DrainAsync(CancellationToken.None);

        var post = Assert.Single(Slack.Posts);
        var hash = EscalationHash.Of("INC 7/ü", 1);
        Assert.Equal("payments", post.Webhook);
        Assert.StartsWith("application/json", post.ContentType);
        Assert.Equal(hash, post.DedupHeader);
        Assert.Equal(hash, post.Json.GetProperty("dedup_key").GetString());
        var text = post.Json.GetProperty("text").GetString()!;
        Assert.Contains("level 1", text);
        Assert.Contains("DB &lt;primary&gt; &amp; replica down", text);
        var button = post.Json.GetProperty("blocks").EnumerateArray()
            .Where(b => b.GetProperty("type").GetString() == "actions")
            .SelectMany(b => b.GetProperty("elements").EnumerateArray())
            .Single(e => e.GetProperty("type").GetString() == "button");
        Assert.Equal($"{TestSettings.AppBaseUrl}/incidents/INC%207%2F%C3%BC", button.GetProperty("url").GetString());
        Assert.Equal("sent", await Db.ScalarAsync<string>("SELECT status FROM notification_outbox"));
    }

    [Fact]
    public async Task A_route_without_its_own_webhook_posts_to_the_global_one()
    {
        await Incidents.InsertDueAsync(Db, 2, i => i == 0 ? "payments" : "search");
        var env = TestSettings.Environment(Db, Slack, new()
        {
            [SettingNames.SlackRouteWebhooks] = JsonSerializer.Serialize(new Dictionary<string, string> { ["payments"] = Slack.WebhookUrl("payments").AbsoluteUri }),
        });
        await using var engine = InProcessEngine.Create(env);

        await engine.Ticker.TickAsync();
        await engine.Dispatcher.DrainAsync(CancellationToken.None);

        Assert.Equal(["global", "payments"], Slack.Posts.Select(p => p.Webhook).Order());
    }
}
