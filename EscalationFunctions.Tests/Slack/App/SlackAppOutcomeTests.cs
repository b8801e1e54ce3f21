using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Engine.Status;
using EscalationFunctions.Engine.Tick;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Support;

namespace EscalationFunctions.Tests.Slack.App;

/// <summary>
/// Reference §10.3: what each answer of the Web API does to the message. Errors come as HTTP 200 with
/// <c>"ok": false</c>; the error code, not the status, decides.
/// </summary>
[Lane(TestLane.Database)]
public class SlackAppOutcomeTests(DatabaseFixture fixture) : SlackAppTest(fixture)
{
    private Task<List<(string Status, int Attempts, string? Error)>> OutboxAsync() => Db.QueryAsync(
        "SELECT status, attempts, last_error FROM notification_outbox ORDER BY id",
        r => (r.GetString(0), r.GetInt32(1), r.IsDBNull(2) ? null : r.GetString(2)));

    /// <summary>Delivers until nothing waits, letting retries come due (the tests' retry base is 50 ms).</summary>
    private async Task DeliverAllAsync(InProcessEngine engine) => await Eventually.TrueAsync(async () =>
    {
        await engine.Dispatcher.DrainAsync(CancellationToken.None);
        return await Db.ScalarAsync<long>("SELECT count(*) FROM notification_outbox WHERE status = 'pending'") == 0;
    }, TimeSpan.FromSeconds(30), "nothing waiting");

    [Theory]
    [InlineData("internal_error")]
    [InlineData("fatal_error")]
    [InlineData("service_unavailable")]
    [InlineData("request_timeout")]
    public async Task A_transient_error_is_retried_with_its_attempt_counted_and_the_page_posted_once(string error)
    {
        await Incidents.InsertDueAsync(Db, 1);
        Api.Script(GlobalChannel, ApiReply.Error(error));
        await using var engine = InProcessEngine.Create(AppSettings());
        await engine.Ticker.TickAsync();

        await DeliverAllAsync(engine);

        Assert.Equal([(error, false), ((string?)null, true)], Api.CallsTo(GlobalChannel).Select(c => (c.Error, c.Ok)));
        var row = Assert.Single(await OutboxAsync());
        Assert.Equal(("sent", 2), (row.Status, row.Attempts));
        Assert.Single(Api.Messages(GlobalChannel));
    }

    [Fact]
    public async Task Ratelimited_with_HTTP_200_is_a_429_no_attempt_used_and_the_channel_held()
    {
        await Incidents.InsertDueAsync(Db, 1);
        Api.Script(GlobalChannel, ApiReply.Error("ratelimited"), ApiReply.RateLimited(1));
        await using var engine = InProcessEngine.Create(AppSettings());
        await engine.Ticker.TickAsync();

        await DeliverAllAsync(engine);

        var calls = Api.CallsTo(GlobalChannel);
        Assert.Equal(3, calls.Count);
        Assert.True(calls[2].Ok);
        Assert.True(calls[2].At - calls[1].At >= TimeSpan.FromSeconds(0.9), "the 429's Retry-After: 1 was not kept");
        Assert.Equal(("sent", 1), (await OutboxAsync()).Select(r => (r.Status, r.Attempts)).Single());
    }

    [Theory]
    [InlineData("channel_not_found")]
    [InlineData("not_in_channel")]
    [InlineData("is_archived")]
    [InlineData("invalid_blocks")]
    [InlineData("msg_too_long")]
    [InlineData("missing_scope")]
    [InlineData("some_error_slack_adds_later")]
    public async Task Any_other_error_is_permanent_for_that_message_and_the_channels_next_message_goes_on(string error)
    {
        await Incidents.InsertDueAsync(Db, 2);
        Api.Script(GlobalChannel, ApiReply.Error(error));
        await using var engine = InProcessEngine.Create(AppSettings());
        await engine.Ticker.TickAsync();

        await DeliverAllAsync(engine);

        var rows = await OutboxAsync();
        Assert.Equal(("dead", 1), (rows[0].Status, rows[0].Attempts));
        Assert.Contains(error, rows[0].Error);
        Assert.Equal("sent", rows[1].Status);
        Assert.Contains(engine.Logs.Lines, l => l.Contains("refused") && l.Contains(error));
        Assert.Equal(1, (await engine.Get<WorkerStatusReader>().ReadAsync(CancellationToken.None)).DeadNotifications);
    }

    [Theory]
    [InlineData("invalid_auth")]
    [InlineData("not_authed")]
    [InlineData("token_revoked")]
    [InlineData("token_expired")]
    [InlineData("account_inactive")]
    public async Task A_token_error_keeps_every_message_waiting_is_logged_once_and_shown_in_health(string error)
    {
        await Incidents.InsertDueAsync(Db, 4, i => i % 2 == 0 ? "payments" : "search");
        var env = AppSettings(new() { ["payments"] = "C0PAYMENTS", ["search"] = "C0SEARCH" });
        Api.Script("C0PAYMENTS", ApiReply.Error(error));
        Api.Script("C0SEARCH", ApiReply.Error(error));
        await using var engine = InProcessEngine.Create(env);
        await engine.Ticker.TickAsync();
        await engine.Dispatcher.DrainAsync(CancellationToken.None);

        // Nothing dead, no attempt used, both channels held for a minute, one line for both.
        Assert.All(await OutboxAsync(), r => Assert.Equal(("pending", 0), (r.Status, r.Attempts)));
        Assert.True((await engine.Get<WorkerStatusReader>().ReadAsync(CancellationToken.None)).SlackAuthFailing);
        Assert.Single(engine.Logs.Lines, l => l.Contains("Slack refuses the app's token"));
        Assert.DoesNotContain(engine.Logs.Lines, l => l.Contains(SlackWebApiStandIn.DefaultToken));
        var heldFor = await Db.QueryAsync("SELECT extract(epoch FROM next_free_at - now())::float8 FROM slack_webhook_lanes", r => r.GetDouble(0));
        Assert.Equal(2, heldFor.Count);
        Assert.All(heldFor, s => Assert.InRange(s, 50, 61));

        // The minute passes: the next tries go through, health says so once.
        await Db.ExecuteAsync("UPDATE slack_webhook_lanes SET next_free_at = now()");
        await DeliverAllAsync(engine);
        Assert.Equal(4, Api.Messages("C0PAYMENTS").Count + Api.Messages("C0SEARCH").Count);
        Assert.False((await engine.Get<WorkerStatusReader>().ReadAsync(CancellationToken.None)).SlackAuthFailing);
        Assert.Single(engine.Logs.Lines, l => l.Contains("Slack accepts the app's token again"));
    }

    [Fact]
    public async Task A_rotated_token_is_used_at_the_next_try_without_a_restart()
    {
        await Incidents.InsertDueAsync(Db, 2);
        var env = AppSettings();
        await using var engine = InProcessEngine.Create(env);
        Api.RevokeToken(SlackWebApiStandIn.DefaultToken);
        await engine.Ticker.TickAsync();
        await engine.Dispatcher.DrainAsync(CancellationToken.None);
        Assert.Equal("token_revoked", Assert.Single(Api.CallsTo(GlobalChannel)).Error);

        // The secret is rotated where the worker reads it (the environment here; Key Vault on Azure, read on use).
        const string rotated = "xoxb-rotated-token-2";
        Api.AcceptedTokens = new HashSet<string> { rotated };
        env[SettingNames.SlackBotToken] = rotated;
        await Db.ExecuteAsync("UPDATE slack_webhook_lanes SET next_free_at = now()"); // the minute's wait, passed
        await DeliverAllAsync(engine);

        Assert.Equal(2, Api.Messages(GlobalChannel).Count);
        Assert.All(Api.CallsTo(GlobalChannel).Where(c => c.Ok), c => Assert.Equal(rotated, c.Token));
        Assert.All(await OutboxAsync(), r => Assert.Equal(("sent", 1), (r.Status, r.Attempts)));
    }

    [Fact]
    public async Task A_rewrite_of_a_message_slack_no_longer_has_is_dead_and_the_lane_goes_on()
    {
        await Incidents.InsertDueAsync(Db, 1);
        await using var engine = InProcessEngine.Create(AppSettings());
        await engine.Ticker.TickAsync();
        await engine.Dispatcher.DrainAsync(CancellationToken.None);
        await Db.ExecuteAsync("UPDATE incidents SET acknowledged_at = now()");
        Api.Script(GlobalChannel, ApiReply.Error("message_not_found"));
        await engine.Ticker.TickAsync();

        await DeliverAllAsync(engine);

        var rewrite = (await OutboxAsync())[1];
        Assert.Equal("dead", rewrite.Status);
        Assert.Contains("message_not_found", rewrite.Error);
    }
}
