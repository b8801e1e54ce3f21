using System.Text.Json;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace EscalationFunctions.Tests.Slack.Clicks;

/// <summary>
/// Acknowledge from Slack (reference §9) end to end over real HTTP and PostgreSQL: the worker posts the
/// escalation to the Slack stand-in, the test clicks its button the way Slack does (signed form
/// payload carrying the posted message), and the stand-in receives the response_url answer.
/// </summary>
[Lane(TestLane.Process)]
public class SlackInteractionTests(DatabaseFixture fixture) : SlackTest(fixture)
{
    private const string Interactions = "/slack/interactions";

    private Dictionary<string, string> Settings(Dictionary<string, string>? overrides = null)
    {
        var env = TestSettings.Environment(Db, Slack, new()
        {
            [SettingNames.OpsHmacSecret] = OpsCall.Secret,
            [SettingNames.OpsTrustPrincipalHeader] = "true",
            [SettingNames.OpsRateLimitPerMinute] = "1000",
            [SettingNames.TickMs] = "86400000",
            [SettingNames.SlackSigningSecret] = $"{SlackClick.Secret},{SlackClick.OldSecret}",
            [SettingNames.SlackResponseUrlHosts] = "hooks.slack.com,127.0.0.1",
            [SettingNames.SlackLevelMentions] = """{"*": {"1": "<!here>"}, "payments": {"1": "<@U0PAYMENTS>"}}""",
        });
        foreach (var (name, value) in overrides ?? [])
        {
            env[name] = value;
        }
        return env;
    }

    /// <summary>Ticks through the ops API and returns the escalation message the stand-in received for <paramref name="key"/>.</summary>
    private async Task<string> EscalatedMessageAsync(InProcessServer server, string key)
    {
        var tick = await OpsCall.SendAsync(server.Client, OpsCall.Signed("/ops/escalation/tick"));
        Assert.Equal(200, tick.Status);
        ReceivedPost? post = null;
        await Eventually.TrueAsync(() => Task.FromResult((post = Slack.Posts.FirstOrDefault(p =>
            !p.Webhook.StartsWith(SlackStandIn.ResponseUrlPrefix, StringComparison.Ordinal) && p.Body.Contains(JsonEncodedText.Encode(key).ToString()))) is not null),
            TimeSpan.FromSeconds(30), $"the escalation of {key} reaches Slack");
        return post!.Body;
    }

    private static Task<OpsCall.Answer> ClickAsync(InProcessServer server, string key, Uri responseUrl, string? message = null,
        string secret = SlackClick.Secret, long? timestamp = null, string actionId = "ack") =>
        OpsCall.SendAsync(server.Client, SlackClick.Signed(Interactions,
            SlackClick.FormBody(SlackClick.Payload(key, responseUrl, actionId: actionId, message: message)), secret, timestamp));

    private async Task<JsonElement> ResponseAsync(string name)
    {
        await Eventually.TrueAsync(() => Task.FromResult(Slack.ResponsesTo(name).Any(p => p.Accepted)), TimeSpan.FromSeconds(30),
            $"the response_url answer reaches /actions/{name}");
        return Slack.ResponsesTo(name).Single().Json;
    }

    private Task<(bool Acknowledged, string? By)> AckStateAsync(string key) => Incidents.AckStateAsync(Db, key);

    private static IEnumerable<JsonElement> AckButtons(JsonElement message) =>
        message.GetProperty("blocks").EnumerateArray().SelectMany(b =>
                b.TryGetProperty("elements", out var e) && b.GetProperty("type").GetString() == "actions" ? e.EnumerateArray().ToArray()
                : b.TryGetProperty("accessory", out var a) ? [a] : [])
            .Where(e => e.TryGetProperty("action_id", out var id) && id.GetString() == "ack");

    /// <summary>The texts of a message's blocks: sections and context elements.</summary>
    private static IEnumerable<string> BlockTexts(JsonElement message) =>
        message.GetProperty("blocks").EnumerateArray().SelectMany(b =>
            (b.TryGetProperty("text", out var t) ? [t] : Array.Empty<JsonElement>())
            .Concat(b.TryGetProperty("elements", out var e) ? e.EnumerateArray().Where(x => x.TryGetProperty("text", out _)) : [])
            .Select(x => x.GetProperty("text").ValueKind == JsonValueKind.String ? x.GetProperty("text").GetString()! : x.GetProperty("text").GetProperty("text").GetString()!));

    [Fact]
    public async Task A_signed_click_acknowledges_stops_escalation_and_the_message_is_replaced_without_the_button()
    {
        await Incidents.InsertAsync(Db, "INC-1", "payments", "critical", TimeSpan.FromMinutes(6), title: "DB down");
        await using var server = await InProcessServer.StartAsync(Settings());
        var posted = await EscalatedMessageAsync(server, "INC-1");
        var postedJson = JsonDocument.Parse(posted).RootElement;
        Assert.Equal("INC-1", Assert.Single(AckButtons(postedJson)).GetProperty("value").GetString());
        Assert.StartsWith("<@U0PAYMENTS> ", postedJson.GetProperty("text").GetString());

        var answer = await ClickAsync(server, "INC-1", Slack.ResponseUrl("r1"), posted);

        Assert.Equal(200, answer.Status);
        Assert.Equal((true, $"slack:{SlackClick.UserId}"), await AckStateAsync("INC-1"));
        var reply = await ResponseAsync("r1");
        Assert.True(reply.GetProperty("replace_original").GetBoolean());
        Assert.StartsWith($":white_check_mark: Acknowledged by <@{SlackClick.UserId}>", reply.GetProperty("text").GetString());
        Assert.Empty(AckButtons(reply));
        Assert.Contains(BlockTexts(reply), t => t.Contains($"Acknowledged by <@{SlackClick.UserId}>"));
        Assert.Contains(reply.GetProperty("blocks").EnumerateArray(), b => b.GetRawText().Contains("open_incident"));
        Assert.Contains(BlockTexts(reply), t => t.StartsWith("<@U0PAYMENTS> *Escalated to level 1:* DB down"));

        // Escalation stops: even far past its deadline, the acknowledged incident is not raised again.
        await Db.ExecuteAsync("UPDATE incidents SET first_seen = now() - interval '10 hours', last_escalated_at = now() - interval '5 hours'");
        var tick = await OpsCall.SendAsync(server.Client, OpsCall.Signed("/ops/escalation/tick"));
        Assert.Equal(0, tick.Json.GetProperty("escalations").GetInt32());
        Assert.Equal(1, await Incidents.LevelOfAsync(Db, "INC-1"));

        var audit = await Db.QueryAsync("SELECT caller, http_status, details->>'incidentKey', details->>'replyQueued' FROM ops_audit WHERE endpoint = 'slack_interactions'",
            r => (r.GetString(0), r.GetInt32(1), r.GetString(2), r.GetString(3)));
        Assert.Equal([($"slack:{SlackClick.UserId}", 200, "INC-1", "true")], audit);
        await Eventually.TrueAsync(async () => await Db.ScalarAsync<string>("SELECT status FROM notification_outbox WHERE kind = 'click_answer'") == "sent", TimeSpan.FromSeconds(30),
            "the answer is recorded as sent");
        Assert.Equal([("sent", true)], await Db.QueryAsync("SELECT status, destination IS NULL FROM notification_outbox WHERE kind = 'click_answer'", r => (r.GetString(0), r.GetBoolean(1))));
    }

    [Fact]
    public async Task A_second_click_answers_already_acknowledged_by_the_first_and_changes_nothing()
    {
        await Incidents.InsertAsync(Db, "INC-2", "search", "critical", TimeSpan.FromMinutes(6));
        await using var server = await InProcessServer.StartAsync(Settings());
        var posted = await EscalatedMessageAsync(server, "INC-2");
        Assert.StartsWith("<!here> ", JsonDocument.Parse(posted).RootElement.GetProperty("text").GetString());
        Assert.Equal(200, (await ClickAsync(server, "INC-2", Slack.ResponseUrl("first"), posted)).Status);
        var firstAt = await Db.ScalarAsync<DateTime>("SELECT acknowledged_at FROM incidents");

        var second = OpsCall.SendAsync(server.Client, SlackClick.Signed(Interactions,
            SlackClick.FormBody(SlackClick.Payload("INC-2", Slack.ResponseUrl("second"), userId: "W0SECOND", message: posted))));

        Assert.Equal(200, (await second).Status);
        var reply = await ResponseAsync("second");
        Assert.StartsWith($":information_source: Already acknowledged by <@{SlackClick.UserId}>", reply.GetProperty("text").GetString());
        Assert.Empty(AckButtons(reply));
        Assert.Equal((true, $"slack:{SlackClick.UserId}"), await AckStateAsync("INC-2"));
        Assert.Equal(firstAt, await Db.ScalarAsync<DateTime>("SELECT acknowledged_at FROM incidents"));
    }

    [Fact]
    public async Task A_click_after_an_ack_by_API_names_the_API_caller()
    {
        await Incidents.InsertAsync(Db, "INC-3", "search", "critical", TimeSpan.FromMinutes(6));
        await using var server = await InProcessServer.StartAsync(Settings());
        Assert.Equal(200, (await OpsCall.SendAsync(server.Client, OpsCall.Signed("/ops/incidents/INC-3/ack", principal: OpsCall.Admin("bob <ops>")))).Status);

        Assert.Equal(200, (await ClickAsync(server, "INC-3", Slack.ResponseUrl("r3"))).Status);

        var reply = await ResponseAsync("r3");
        Assert.Contains("Already acknowledged by bob &lt;ops&gt;", reply.GetProperty("text").GetString());
    }

    [Fact]
    public async Task A_click_for_an_unknown_incident_gets_an_ephemeral_answer_only_for_the_clicker()
    {
        await using var server = await InProcessServer.StartAsync(Settings());

        Assert.Equal(200, (await ClickAsync(server, "GONE-1", Slack.ResponseUrl("r4"))).Status);

        var reply = await ResponseAsync("r4");
        Assert.Equal("ephemeral", reply.GetProperty("response_type").GetString());
        Assert.False(reply.GetProperty("replace_original").GetBoolean());
        Assert.Contains("GONE-1", reply.GetProperty("text").GetString());
    }

    [Fact]
    public async Task Forged_stale_tampered_and_unsigned_clicks_are_401_and_change_nothing()
    {
        await Incidents.InsertAsync(Db, "INC-5", "search", "critical", TimeSpan.FromMinutes(6));
        await using var server = await InProcessServer.StartAsync(Settings());
        var url = Slack.ResponseUrl("r5");
        var body = SlackClick.FormBody(SlackClick.Payload("INC-5", url));

        var forged = await ClickAsync(server, "INC-5", url, secret: "ffffffffffffffffffffffffffffffff");
        // Well past the 300 s edge (SlackRequestSignatureTests pins the edge on a fixed clock): here a
        // call crossing into the next second must not turn 301 s ahead into 300.
        var stale = await ClickAsync(server, "INC-5", url, timestamp: DateTimeOffset.UtcNow.AddSeconds(-310).ToUnixTimeSeconds());
        var future = await ClickAsync(server, "INC-5", url, timestamp: DateTimeOffset.UtcNow.AddSeconds(310).ToUnixTimeSeconds());
        var tamperedRequest = SlackClick.Signed(Interactions, SlackClick.FormBody(SlackClick.Payload("OTHER", url)));
        tamperedRequest.Content = new ByteArrayContent(body);
        var tampered = await OpsCall.SendAsync(server.Client, tamperedRequest);
        var unsigned = await OpsCall.SendAsync(server.Client, new HttpRequestMessage(HttpMethod.Post, Interactions) { Content = new ByteArrayContent(body) });

        Assert.Equal((401, "signature_mismatch"), (forged.Status, forged.Error));
        Assert.Equal((401, "stale_timestamp"), (stale.Status, stale.Error));
        Assert.Equal((401, "stale_timestamp"), (future.Status, future.Error));
        Assert.Equal((401, "signature_mismatch"), (tampered.Status, tampered.Error));
        Assert.Equal((401, "missing_signature"), (unsigned.Status, unsigned.Error));
        Assert.Equal((false, null), await AckStateAsync("INC-5"));
        Assert.Equal(0, await Db.ScalarAsync<long>("SELECT count(*) FROM notification_outbox WHERE kind = 'click_answer'"));
        Assert.Equal(5, await Db.ScalarAsync<long>("SELECT count(*) FROM ops_audit WHERE endpoint = 'slack_interactions' AND http_status = 401"));
        Assert.Empty(Slack.ResponsesTo("r5"));
    }

    [Fact]
    public async Task A_captured_click_replayed_after_the_window_is_401_and_changes_nothing()
    {
        await Incidents.InsertAsync(Db, "INC-6", "search", "critical", TimeSpan.FromMinutes(6));
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await InProcessServer.StartAsync(Settings(), time);
        // Signed at the server's clock: starting the server takes real seconds on a busy machine, and a
        // timestamp from the wall clock would then be that much younger than the 301 s advanced below.
        var captured = SlackClick.Signed(Interactions, SlackClick.FormBody(SlackClick.Payload("INC-6", Slack.ResponseUrl("r6"))),
            timestamp: time.GetUtcNow().ToUnixTimeSeconds());
        var replay = await OpsCall.CloneAsync(captured);
        Assert.Equal(200, (await OpsCall.SendAsync(server.Client, captured)).Status);
        await ResponseAsync("r6");
        await Db.ExecuteAsync("UPDATE incidents SET acknowledged_at = NULL, acknowledged_by = NULL");

        time.Advance(TimeSpan.FromSeconds(301));
        var replayed = await OpsCall.SendAsync(server.Client, replay);

        Assert.Equal((401, "stale_timestamp"), (replayed.Status, replayed.Error));
        Assert.Equal((false, null), await AckStateAsync("INC-6"));
        Assert.Single(Slack.ResponsesTo("r6"));
    }

    [Fact]
    public async Task A_click_signed_with_the_old_secret_of_a_rotation_pair_is_accepted()
    {
        await Incidents.InsertAsync(Db, "INC-7", "search", "critical", TimeSpan.FromMinutes(6));
        await using var server = await InProcessServer.StartAsync(Settings());

        Assert.Equal(200, (await ClickAsync(server, "INC-7", Slack.ResponseUrl("r7"), secret: SlackClick.OldSecret)).Status);
        Assert.True((await AckStateAsync("INC-7")).Acknowledged);
    }

    [Fact]
    public async Task A_response_url_on_a_host_not_allowed_gets_nothing_but_the_click_still_acknowledges()
    {
        await Incidents.InsertAsync(Db, "INC-8", "search", "critical", TimeSpan.FromMinutes(6));
        await using var server = await InProcessServer.StartAsync(Settings(new() { [SettingNames.SlackResponseUrlHosts] = "hooks.slack.com" }));

        Assert.Equal(200, (await ClickAsync(server, "INC-8", Slack.ResponseUrl("r8"))).Status);

        Assert.True((await AckStateAsync("INC-8")).Acknowledged);
        Assert.Equal(0, await Db.ScalarAsync<long>("SELECT count(*) FROM notification_outbox WHERE kind = 'click_answer'"));
        var refused = await Db.ScalarAsync<string>("SELECT details->>'replyRefused' FROM ops_audit WHERE endpoint = 'slack_interactions'");
        Assert.Contains("127.0.0.1", refused);
        // The click is fully handled: answered, audited with the refusal, and no answer queued. Answers
        // reach a response_url only through the outbox, so with no row none can arrive later.
        Assert.Empty(Slack.ResponsesTo("r8"));
    }

    [Theory]
    [InlineData(302)]
    [InlineData(307)]
    public async Task A_response_url_that_redirects_is_not_followed(int status)
    {
        await Incidents.InsertAsync(Db, "INC-9", "search", "critical", TimeSpan.FromMinutes(6));
        await using var server = await InProcessServer.StartAsync(Settings());
        Slack.Script(SlackStandIn.ResponseUrlPrefix + "r9", Reply.Redirect(status, Slack.ResponseUrl("stolen")));

        Assert.Equal(200, (await ClickAsync(server, "INC-9", Slack.ResponseUrl("r9"))).Status);

        await Eventually.TrueAsync(async () => await Db.ScalarAsync<string>("SELECT status FROM notification_outbox WHERE kind = 'click_answer'") == "dead", TimeSpan.FromSeconds(30),
            "the redirected answer is dead-lettered");
        Assert.Single(Slack.ResponsesTo("r9"));
        Assert.Empty(Slack.ResponsesTo("stolen"));
        Assert.Contains("redirect", await Db.ScalarAsync<string>("SELECT last_error FROM notification_outbox WHERE kind = 'click_answer'"));
    }

    [Fact]
    public async Task A_click_on_the_link_button_is_answered_200_and_changes_nothing()
    {
        await Incidents.InsertAsync(Db, "INC-10", "search", "critical", TimeSpan.FromMinutes(6));
        await using var server = await InProcessServer.StartAsync(Settings());

        var answer = await ClickAsync(server, "INC-10", Slack.ResponseUrl("r10"), actionId: "open_incident");

        Assert.Equal(200, answer.Status);
        Assert.Equal((false, null), await AckStateAsync("INC-10"));
        Assert.Equal(0, await Db.ScalarAsync<long>("SELECT count(*) FROM notification_outbox WHERE kind = 'click_answer'"));
    }

    [Fact]
    public async Task A_signed_body_that_is_not_a_block_actions_payload_is_400_json()
    {
        await using var server = await InProcessServer.StartAsync(Settings());
        foreach (var form in new[] { "token=abc", "payload=%7B%22type%22%3A%22view_submission%22%7D", "payload=not-json" })
        {
            var answer = await OpsCall.SendAsync(server.Client, SlackClick.Signed(Interactions, System.Text.Encoding.UTF8.GetBytes(form)));
            Assert.Equal((400, "invalid_payload"), (answer.Status, answer.Error));
        }
        Assert.Equal(3, await Db.ScalarAsync<long>("SELECT count(*) FROM ops_audit WHERE endpoint = 'slack_interactions' AND http_status = 400"));
    }

    [Fact]
    public async Task Without_a_signing_secret_messages_carry_no_button_and_clicks_are_refused()
    {
        await Incidents.InsertAsync(Db, "INC-11", "search", "critical", TimeSpan.FromMinutes(6));
        var env = Settings();
        env.Remove(SettingNames.SlackSigningSecret);
        await using var server = await InProcessServer.StartAsync(env);

        var posted = JsonDocument.Parse(await EscalatedMessageAsync(server, "INC-11")).RootElement;
        var click = await ClickAsync(server, "INC-11", Slack.ResponseUrl("r11"));

        Assert.Empty(AckButtons(posted));
        Assert.Equal((503, "slack_signing_not_configured"), (click.Status, click.Error));
        Assert.False((await AckStateAsync("INC-11")).Acknowledged);
    }

    [Fact]
    public async Task An_answer_queued_by_an_instance_that_dies_right_after_answering_is_posted_by_another()
    {
        await Incidents.InsertAsync(Db, "INC-12", "search", "critical", TimeSpan.FromMinutes(6));
        // The first instance's post hangs; it is killed while the post is in flight, before it can record anything.
        Slack.Script(SlackStandIn.ResponseUrlPrefix + "r12", Reply.Hang(TimeSpan.FromMinutes(2)));
        var env = Settings(new() { [SettingNames.SlackTimeoutMs] = "1000" });
        await using (var first = await ServerProcess.StartAsync(env))
        {
            using var client = new HttpClient { BaseAddress = first.BaseUrl };
            var answer = await OpsCall.SendAsync(client, SlackClick.Signed(Interactions, SlackClick.FormBody(SlackClick.Payload("INC-12", Slack.ResponseUrl("r12")))));
            Assert.Equal(200, answer.Status);
            await Eventually.TrueAsync(() => Task.FromResult(Slack.ResponsesTo("r12").Count == 1), TimeSpan.FromSeconds(30), "the first post is in flight");
            first.Kill();
        }
        Assert.Equal("pending", await Db.ScalarAsync<string>("SELECT status FROM notification_outbox WHERE kind = 'click_answer'"));

        await using var second = await InProcessServer.StartAsync(env);

        await Eventually.TrueAsync(() => Task.FromResult(Slack.ResponsesTo("r12").Any(p => p.Accepted)), TimeSpan.FromSeconds(60),
            "another instance posts the queued answer once the dead one's lease has run out");
        // The stand-in records a post as it arrives; the sender marks it sent once it has the 200.
        await Eventually.TrueAsync(async () => await Db.ScalarAsync<string>("SELECT status FROM notification_outbox WHERE kind = 'click_answer'") == "sent", TimeSpan.FromSeconds(30),
            "the second instance records the answer as sent");
        Assert.Contains("Acknowledged by", Slack.ResponsesTo("r12").Last(p => p.Accepted).Json.GetProperty("text").GetString());
    }

    [Fact]
    public async Task Seeded_hostile_signed_and_unsigned_bodies_get_a_JSON_4xx_or_200_never_a_5xx_and_each_is_audited()
    {
        await Incidents.InsertAsync(Db, "INC-13", "search", "critical", TimeSpan.FromMinutes(6));
        await using var server = await InProcessServer.StartAsync(Settings());
        var random = new Random(1313);
        string[] hostileValues = ["a\u0000b", "\ud800", "\udfff\ud800", new string('k', 5000), "INC-13\n", "<!channel>", "%00", "", " ", "INC-13"];
        var statuses = new List<int>();
        const int Calls = 120;
        for (var i = 0; i < Calls; i++)
        {
            byte[] body;
            switch (i % 4)
            {
                case 0:
                    body = new byte[random.Next(0, 2000)];
                    random.NextBytes(body);
                    break;
                case 1:
                    var value = hostileValues[random.Next(hostileValues.Length)];
                    var user = random.Next(3) == 0 ? "U\u0000X" : SlackClick.UserId;
                    var message = random.Next(2) == 0 ? null
                        : "{\"text\":\"" + hostileValues[random.Next(hostileValues.Length)] + "\",\"blocks\":[{\"type\":\"section\",\"text\":{\"type\":\"mrkdwn\",\"text\":\"x\"}," +
                          "\"accessory\":{\"type\":\"button\",\"action_id\":\"ack\",\"value\":\"" + value + "\"}}]}";
                    body = System.Text.Encoding.UTF8.GetBytes("payload=" + Uri.EscapeDataString(
                        $$"""{"type":"block_actions","user":{"id":"{{user}}"},"actions":[{"action_id":"ack","value":"{{value}}"}],"response_url":"{{Slack.ResponseUrl("fuzz").AbsoluteUri}}"{{(message is null ? "" : ",\"message\":" + message)}}}"""));
                    break;
                case 2:
                    body = SlackClick.FormBody(SlackClick.Payload("INC-13", Slack.ResponseUrl("fuzz")));
                    body[random.Next(body.Length)] = (byte)random.Next(256);
                    break;
                default:
                    body = System.Text.Encoding.UTF8.GetBytes(new string(Enumerable.Range(0, random.Next(1, 300)).Select(_ => (char)random.Next(32, 127)).ToArray()));
                    break;
            }
            var request = i % 8 == 7
                ? new HttpRequestMessage(HttpMethod.Post, Interactions) { Content = new ByteArrayContent(body) }
                : SlackClick.Signed(Interactions, body);
            var answer = await OpsCall.SendAsync(server.Client, request);
            Assert.True(answer.Status is 200 or 400 or 401, $"call {i}: {answer.Status} {answer.Raw}");
            if (answer.Status != 200)
            {
                Assert.NotNull(answer.Error);
            }
            statuses.Add(answer.Status);
        }
        Assert.Contains(200, statuses);
        Assert.Contains(400, statuses);
        Assert.Contains(401, statuses);
        Assert.Equal(Calls, await Db.ScalarAsync<long>("SELECT count(*) FROM ops_audit WHERE endpoint = 'slack_interactions'"));
    }
}
