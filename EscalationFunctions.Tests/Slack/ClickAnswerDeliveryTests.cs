using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Engine.Slack.Delivery;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Support;

namespace EscalationFunctions.Tests.Slack;

/// <summary>
/// Answers to Slack clicks are rows of the one outgoing queue (reference §5.7), posted by the same
/// sender as pages, with what is their own: a destination that must be on SLACK_RESPONSE_URL_HOSTS,
/// an expiry (Slack takes a response_url for 30 minutes), and a lane used once.
/// </summary>
[Lane(TestLane.Database)]
public class ClickAnswerDeliveryTests(DatabaseFixture fixture) : SlackTest(fixture)
{
    // A retry a minute away: a drain tries each answer once.
    private Dictionary<string, string> Settings() => TestSettings.Environment(Db, Slack, new()
    {
        [SettingNames.SlackResponseUrlHosts] = "127.0.0.1",
        [SettingNames.SlackRetryBaseMs] = "60000",
    });

    private Task QueueAsync(string key, string destination, string expiresIn = "30 minutes") => Db.ExecuteAsync(
        "INSERT INTO notification_outbox (kind, incident_key, destination, body, expires_at) VALUES ('click_answer', @k, @d, '{\"text\":\"answer\"}', now() + @e::interval)",
        ("k", key), ("d", destination), ("e", expiresIn));

    private Task<List<(string Key, string Status, int Attempts, bool HasDestination, string Error)>> RowsAsync() => Db.QueryAsync(
        "SELECT incident_key, status, attempts, destination IS NOT NULL, coalesce(last_error, '') FROM notification_outbox ORDER BY id",
        r => (r.GetString(0), r.GetString(1), r.GetInt32(2), r.GetBoolean(3), r.GetString(4)));

    [Fact]
    public async Task Answers_and_pages_go_out_in_one_pass_each_answer_in_a_lane_that_is_removed_once_it_is_done()
    {
        await Incidents.InsertDueAsync(Db, 2);
        await QueueAsync("INC-A", Slack.ResponseUrl("a").AbsoluteUri);
        await QueueAsync("INC-B", Slack.ResponseUrl("b").AbsoluteUri);
        await using var engine = InProcessEngine.Create(Settings());
        await engine.Ticker.TickAsync();

        await engine.Dispatcher.DrainAsync(CancellationToken.None);

        Assert.Single(Slack.ResponsesTo("a"));
        Assert.Single(Slack.ResponsesTo("b"));
        Assert.Equal(2, Slack.PostsTo("global").Count);
        Assert.All(await RowsAsync(), r => Assert.Equal(("sent", 1, false), (r.Status, r.Attempts, r.HasDestination)));
        // Only the webhook's lane stays; the two response_urls' lanes are gone.
        Assert.Equal(1, await Db.ScalarAsync<long>("SELECT count(*) FROM slack_webhook_lanes"));
    }

    [Fact]
    public async Task An_answer_to_a_host_not_allowed_or_to_no_url_is_dead_at_once_and_nothing_is_posted()
    {
        await QueueAsync("INC-A", "https://evil.example.com/actions/1");
        await QueueAsync("INC-B", "not a url");
        await using var engine = InProcessEngine.Create(Settings());

        await engine.Dispatcher.DrainAsync(CancellationToken.None);

        Assert.Empty(Slack.Posts);
        var rows = await RowsAsync();
        Assert.All(rows, r => Assert.Equal(("dead", 1, false), (r.Status, r.Attempts, r.HasDestination)));
        Assert.Contains("evil.example.com", rows[0].Error);
        Assert.Equal(2, engine.Logs.Lines.Count(l => l.Contains("Slack click's response_url refused the answer", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_failing_answer_is_retried_while_its_response_url_lives_and_dead_once_a_retry_would_come_after()
    {
        Slack.SetDefault(SlackStandIn.ResponseUrlPrefix + "young", Reply.Status(503));
        Slack.SetDefault(SlackStandIn.ResponseUrlPrefix + "old", Reply.Status(503));
        await QueueAsync("INC-YOUNG", Slack.ResponseUrl("young").AbsoluteUri);
        await QueueAsync("INC-OLD", Slack.ResponseUrl("old").AbsoluteUri, expiresIn: "1 second");
        await using var engine = InProcessEngine.Create(Settings());

        await engine.Dispatcher.DrainAsync(CancellationToken.None);

        Assert.Equal(
        [
            ("INC-YOUNG", "pending", 1, true, "HTTP 503 Service Unavailable"),
            ("INC-OLD", "dead", 1, false, "HTTP 503 Service Unavailable"),
        ], (await RowsAsync()).Select(r => (r.Key, r.Status, r.Attempts, r.HasDestination, r.Error.Split(':')[0])));
    }
}
