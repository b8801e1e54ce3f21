using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Testing;
using EscalationFunctions.Testing.FunctionsHost;
using EscalationFunctions.Tests.Support;

namespace EscalationFunctions.Tests.Functions;

/// <summary>
/// Slack app mode (reference §10) through the compiled Functions app under the host stand-in: the
/// timer invocation posts to the route's channel with the bot token, a later level replies in the
/// incident's thread, and after an ack call through the host's front end the next invocation rewrites
/// every message of the incident.
/// </summary>
[Lane(TestLane.Process)]
public sealed class FunctionsSlackAppTests : IAsyncLifetime
{
    private TestDatabase _db = null!;
    private SlackStandIn _webhooks = null!;
    private SlackWebApiStandIn _api = null!;
    private FunctionsHostStandIn _host = null!;

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync(nameof(FunctionsSlackAppTests));
        _webhooks = await SlackStandIn.StartAsync();
        _api = await SlackWebApiStandIn.StartAsync();
        _api.AddChannel("C0PAYMENTS");
        var env = FunctionsWorkerFixture.Settings(_db, _webhooks, new()
        {
            [SettingNames.SlackBotToken] = SlackWebApiStandIn.DefaultToken,
            [SettingNames.SlackApiBaseUrl] = _api.ApiBaseUrl.AbsoluteUri,
            [SettingNames.SlackRouteChannels] = """{"payments":"C0PAYMENTS"}""",
            [SettingNames.SlackChannel] = "C0PAYMENTS",
            [SettingNames.SnoozeMinutes] = "0",
        });
        env.Remove(SettingNames.SlackWebhookUrl);
        _host = await FunctionsHostStandIn.StartAsync(env);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _api.DisposeAsync();
        await _webhooks.DisposeAsync();
        await _db.DisposeAsync();
    }

    private async Task TickAsync()
    {
        var timer = await _host.InvokeTimerAsync("EscalationTick");
        Assert.True(timer.Succeeded, timer.Exception);
    }

    [Fact]
    public async Task The_timer_posts_in_threads_and_after_an_ack_call_the_next_invocation_rewrites_the_incidents_messages()
    {
        await Incidents.InsertAsync(_db, "FN-APP-1", "payments", "critical", TimeSpan.FromHours(2));
        // Each invocation delivers what it can; the worker's background sender may hold the channel's lane, so wait for the post.
        await TickAsync();
        await Eventually.TrueAsync(() => Task.FromResult(_api.Messages("C0PAYMENTS").Count == 1), TimeSpan.FromSeconds(30), "the first page");
        await TickAsync();
        await Eventually.TrueAsync(() => Task.FromResult(_api.Messages("C0PAYMENTS").Count == 2), TimeSpan.FromSeconds(30), "the second level");
        var messages = _api.Messages("C0PAYMENTS");
        Assert.Null(messages[0].ThreadTs);
        Assert.Equal((messages[0].Ts, true), (messages[1].ThreadTs, messages[1].ReplyBroadcast));
        Assert.Empty(_webhooks.Posts);

        using var client = new HttpClient { BaseAddress = _host.BaseUrl, Timeout = TimeSpan.FromSeconds(60) };
        var ack = OpsCall.Signed("/ops/incidents/FN-APP-1/ack");
        ack.Headers.Add("x-functions-key", _host.FunctionKey);
        Assert.Equal(200, (await OpsCall.SendAsync(client, ack)).Status);
        await TickAsync();
        await Eventually.TrueAsync(() => Task.FromResult(_api.Messages("C0PAYMENTS").All(m => m.Updates > 0)), TimeSpan.FromSeconds(30), "both rewritten");

        Assert.All(_api.Messages("C0PAYMENTS"), m =>
        {
            Assert.Equal(1, m.Updates);
            Assert.Contains("Acknowledged by alice at", m.Text);
        });
        Assert.Contains(_host.Logs, l => l.Message.Contains("Slack app mode: posted to channels"));
    }
}
