using System.Collections.Concurrent;
using System.Text.Json;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Support;
using Xunit.Abstractions;

namespace EscalationFunctions.Tests.Slack.App;

/// <summary>
/// Reference §10 on real server processes against the Web API stand-in, which answers 429 to a call
/// less than a second after the last one it took in the same channel, as Slack does.
/// </summary>
[Lane(TestLane.Process)]
public class SlackAppScaleOutTests(DatabaseFixture fixture, ITestOutputHelper output) : SlackAppTest(fixture)
{
    private const int Channels = 12;
    private const int PerChannel = 8;
    private static readonly TimeSpan Pace = TimeSpan.FromSeconds(1);

    private enum AckPath
    {
        OpsApi,
        SlackClick,
        Sql,
    }

    private Dictionary<string, string> ServerSettings(Dictionary<string, string> routeChannels, SlackStandIn responses) =>
        AppSettings(routeChannels, new()
        {
            [SettingNames.SlackMinIntervalMs] = ((int)Pace.TotalMilliseconds).ToString(),
            [SettingNames.SlackTimeoutMs] = "20000", // a timed-out call would be repeated: only a kill may repeat one here
            [SettingNames.TickMs] = "500",
            [SettingNames.OpsHmacSecret] = OpsCall.Secret,
            [SettingNames.OpsTrustPrincipalHeader] = "true",
            [SettingNames.OpsRateLimitPerMinute] = "100000",
            [SettingNames.SlackSigningSecret] = SlackClick.Secret,
            [SettingNames.SlackResponseUrlHosts] = responses.BaseUrl.Host,
        });

    [Fact]
    public async Task Four_instances_post_each_page_once_rewrite_each_acknowledged_incidents_messages_and_never_meet_a_429()
    {
        var routes = Enumerable.Range(0, Channels).ToDictionary(c => $"route-{c}", c => $"C0CHAN{c:D2}");
        await Incidents.InsertDueAsync(Db, Channels * PerChannel, i => $"route-{i % Channels}");
        await using var responses = await SlackStandIn.StartAsync();
        Api.EnforcedInterval = Pace;
        var env = ServerSettings(routes, responses);
        var servers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => ServerProcess.StartAsync(env)));
        var acked = new ConcurrentDictionary<string, (AckPath Path, DateTimeOffset At)>();
        try
        {
            // Once every channel has its first message, acknowledge a quarter of the incidents by each path in turn.
            await Eventually.TrueAsync(() => Task.FromResult(routes.Values.All(c => Api.Messages(c).Count > 0)), TimeSpan.FromSeconds(60),
                "every channel got its first message");
            var clients = servers.Select(s => new HttpClient { BaseAddress = s.BaseUrl, Timeout = TimeSpan.FromSeconds(60) }).ToArray();
            var keys = Enumerable.Range(0, Channels * PerChannel).Where(i => i % 4 == 1).Select(i => $"INC-{i}").ToList();
            await Task.WhenAll(keys.Select((key, n) => AcknowledgeAsync(clients[n % clients.Length], key, (AckPath)(n % 3), responses, acked)));
            foreach (var client in clients)
            {
                client.Dispose();
            }

            await Eventually.TrueAsync(async () => await Db.ScalarAsync<long>(
                    """
                    SELECT (SELECT count(*) FROM notification_outbox WHERE kind <> 'click_answer' AND (status = 'pending' OR lease_until IS NOT NULL))
                         + (SELECT count(*) FROM slack_message_incidents mi JOIN incidents i USING (incident_key)
                            WHERE mi.shown_as = 'open' AND i.acknowledged_at IS NOT NULL)
                         + (SELECT count(*) FROM incidents WHERE escalation_level = 0)
                    """) == 0,
                TimeSpan.FromSeconds(120), "every page posted or superseded and every rewrite sent");
        }
        finally
        {
            await Task.WhenAll(servers.Select(s => s.StopAsync()));
            foreach (var server in servers)
            {
                await server.DisposeAsync();
            }
        }

        var calls = Api.Calls;
        Assert.Equal(0, calls.Count(c => c.HttpStatus == 429 || c.Error == "ratelimited"));
        Assert.All(calls, c => Assert.True(c.Ok, $"{c.Method} to {c.Channel}: {c.HttpStatus} {c.Error}"));
        var messages = routes.Values.SelectMany(Api.Messages).ToList();
        var incidentOf = (await Db.QueryAsync("SELECT dedup_key, incident_key FROM notification_outbox WHERE kind = 'page'",
            r => (r.GetString(0), r.GetString(1)))).ToDictionary(x => x.Item1, x => x.Item2);

        // Each page once: no dedup key in two messages.
        var posted = messages.SelectMany(m => m.DedupKeys).ToList();
        Assert.Equal(posted.Count, posted.Distinct().Count());
        // Every message of an acknowledged incident rewritten (once: it is shown closed from then on), no other one.
        var lags = new List<double>();
        foreach (var message in messages)
        {
            var key = incidentOf[Assert.Single(message.DedupKeys)];
            if (acked.TryGetValue(key, out var ack))
            {
                Assert.Equal(1, message.Updates);
                Assert.Contains("Acknowledged", message.Text);
                var update = calls.Last(c => c.Method == SlackWebApiStandIn.ChatUpdate && c.Json.GetProperty("ts").GetString() == message.Ts);
                lags.Add((update.At - ack.At).TotalSeconds);
            }
            else
            {
                Assert.Equal(0, message.Updates);
            }
        }
        Assert.NotEmpty(lags);
        lags.Sort();
        output.WriteLine($"{messages.Count} messages over {Channels} channels, {calls.Count(c => c.Method == SlackWebApiStandIn.ChatUpdate)} rewrites; " +
                         $"acknowledgement to rewrite: median {lags[lags.Count / 2]:F1} s, max {lags[^1]:F1} s");
        output.WriteLine(Api.Render(routes["route-1"]));
    }

    [Fact]
    public async Task A_rewrite_whose_instance_is_killed_mid_call_is_sent_by_another_instance_and_the_message_changed_once()
    {
        await Incidents.InsertAsync(Db, "INC-KILL", "route-k", "warning", TimeSpan.FromMinutes(16));
        await using var responses = await SlackStandIn.StartAsync();
        var env = ServerSettings(new() { ["route-k"] = "C0KILL" }, responses);
        var first = await ServerProcess.StartAsync(env);
        try
        {
            await Eventually.TrueAsync(() => Task.FromResult(Api.Messages("C0KILL").Count == 1), TimeSpan.FromSeconds(30), "the page posted");
            // The rewrite's call never gets an answer: the instance is killed while it waits.
            Api.Script("C0KILL", ApiReply.Hang(TimeSpan.FromSeconds(60)));
            await Db.ExecuteAsync("UPDATE incidents SET acknowledged_at = now(), acknowledged_by = 'carol'");
            await Eventually.TrueAsync(() => Task.FromResult(Api.CallsTo("C0KILL").Any(c => c.Method == SlackWebApiStandIn.ChatUpdate)),
                TimeSpan.FromSeconds(30), "the rewrite in flight");
        }
        finally
        {
            first.Kill();
            await first.DisposeAsync();
        }

        await using var second = await ServerProcess.StartAsync(env);
        await Eventually.TrueAsync(async () => await Db.ScalarAsync<long>(
                "SELECT count(*) FROM notification_outbox WHERE kind = 'message_update' AND status = 'sent'") == 1,
            TimeSpan.FromSeconds(60), "the rewrite sent by the second instance");

        var message = Assert.Single(Api.Messages("C0KILL"));
        Assert.Equal(1, message.Updates);
        Assert.Contains("Acknowledged by carol at", message.Text);
        Assert.Equal(2, Api.CallsTo("C0KILL").Count(c => c.Method == SlackWebApiStandIn.ChatUpdate));
        Assert.Equal(2, await Db.ScalarAsync<int>("SELECT attempts FROM notification_outbox WHERE kind = 'message_update'"));
    }

    private async Task AcknowledgeAsync(HttpClient client, string key, AckPath path, SlackStandIn responses,
        ConcurrentDictionary<string, (AckPath, DateTimeOffset)> acked)
    {
        switch (path)
        {
            case AckPath.OpsApi:
                var api = await OpsCall.SendAsync(client, OpsCall.Signed("/ops/incidents/ack", JsonSerializer.Serialize(new { incidentKey = key })));
                Assert.True(api.Status == 200, $"ack of {key}: {api.Status} {api.Raw}");
                break;
            case AckPath.SlackClick:
                var click = await OpsCall.SendAsync(client, SlackClick.Signed("/slack/interactions",
                    SlackClick.FormBody(SlackClick.Payload(key, responses.ResponseUrl($"r-{key}")))));
                Assert.True(click.Status == 200, $"click on {key}: {click.Status} {click.Raw}");
                break;
            default:
                Assert.Equal(1, await Db.ExecuteAsync(
                    "UPDATE incidents SET acknowledged_at = now(), acknowledged_by = 'another-system' WHERE incident_key = @k", ("k", key)));
                break;
        }
        acked[key] = (path, DateTimeOffset.UtcNow);
    }
}
