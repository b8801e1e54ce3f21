using System.Text.Json;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Ops;
using EscalationFunctions.Tests.Support;

namespace EscalationFunctions.Tests.Endpoints;

/// <summary>
/// Single hostile clicks, validly signed (reference §9; the seeded fuzz is <see cref="EndpointFuzzTests"/>):
/// a lone surrogate in a field the route needs is a 400 that acknowledges nothing; oddities in the
/// clicked message, which it does not need, never stop the click.
/// </summary>
[Lane(TestLane.Database)]
public class SlackClickHostileInputTests(DatabaseFixture fixture) : SlackTest(fixture)
{
    private const string Key = "INC-1";

    private async Task<InProcessServer> StartAsync() => await InProcessServer.StartAsync(OpsTestSettings.For(Db, new()
    {
        [SettingNames.SlackSigningSecret] = SlackClick.Secret,
        [SettingNames.SlackResponseUrlHosts] = "127.0.0.1",
    }));

    private static Task<OpsCall.Answer> ClickAsync(InProcessServer server, ClickPayload payload) =>
        OpsCall.SendAsync(server.Client, SlackClick.Signed(EndpointCalls.Interactions, SlackClick.FormBody(payload.Text())));

    private Task<List<(string Endpoint, int Status)>> AuditAsync() =>
        Db.QueryAsync("SELECT endpoint, http_status FROM ops_audit ORDER BY id", r => (r.GetString(0), r.GetInt32(1)));

    [Theory]
    [InlineData("type", "\"\\ud800\"")]
    [InlineData("type", "\"block_actions\\udc00\"")]
    [InlineData("user.id", "\"\\ud800\"")]
    [InlineData("user.id", "\"U024BE7LH\\ud800\"")]
    [InlineData("actions[0].value", "\"\\ud800\"")]
    [InlineData("actions[0].value", "\"INC-1\\udc00\"")]
    [InlineData("response_url", "\"\\ud800\"")]
    [InlineData("response_url", "RESPONSE_URL\\ud800\"")]
    public async Task A_lone_surrogate_in_a_field_the_click_needs_is_a_JSON_400_that_is_audited_and_acknowledges_nothing(string field, string json)
    {
        await Incidents.InsertAsync(Db, Key, "payments", "critical", TimeSpan.FromMinutes(1));
        await using var server = await StartAsync();
        var payload = new ClickPayload(Key, Slack.ResponseUrl("r"));
        json = json.Replace("RESPONSE_URL", payload.ResponseUrl[..^1]);
        switch (field)
        {
            case "type":
                payload.Type = json;
                break;
            case "user.id":
                payload.UserId = json;
                break;
            case "actions[0].value":
                payload.Value = json;
                break;
            default:
                payload.ResponseUrl = json;
                break;
        }

        var answer = await ClickAsync(server, payload);

        Assert.Equal(400, answer.Status);
        Assert.StartsWith("application/json", answer.Response.Content.Headers.ContentType?.ToString());
        Assert.False(string.IsNullOrEmpty(answer.Error));
        Assert.False(string.IsNullOrEmpty(answer.Json.GetProperty("message").GetString()));
        Assert.Equal((false, null), await Incidents.AckStateAsync(Db, Key));
        Assert.Equal([("slack_interactions", 400)], await AuditAsync());
        Assert.Equal(0, await Db.ScalarAsync<long>("SELECT count(*) FROM notification_outbox WHERE kind = 'click_answer'"));
    }

    private const string Button = """{"type":"button","action_id":"ack","value":"INC-1","text":{"type":"plain_text","text":"Acknowledge"}}""";
    private const string Section = """{"type":"section","text":{"type":"mrkdwn","text":"*Escalated to level 1*"},"accessory":BUTTON}""";

    [Theory]
    [InlineData("a block whose type is a number", """{"text":"Escalated","blocks":[{"type":5},SECTION]}""")]
    [InlineData("the Ack button in a block whose type is a number", """{"text":"Escalated","blocks":[{"type":5,"accessory":BUTTON}]}""")]
    [InlineData("a repeated property name in the message", """{"text":"Escalated","text":"again","blocks":[SECTION]}""")]
    [InlineData("a repeated property name in a block", """{"text":"Escalated","blocks":[{"type":"section","type":"section","text":{"type":"mrkdwn","text":"x"},"accessory":BUTTON}]}""")]
    [InlineData("an accessory that is an object but no button", """{"text":"Escalated","blocks":[{"type":"section","text":{"type":"mrkdwn","text":"x"},"accessory":{"type":{"nested":true}}},SECTION]}""")]
    [InlineData("an accessory that is an array", """{"text":"Escalated","blocks":[{"type":"section","text":{"type":"mrkdwn","text":"x"},"accessory":[]},SECTION]}""")]
    public async Task A_click_whose_message_the_worker_cannot_rebuild_still_acknowledges_and_gets_its_answer(string oddity, string message)
    {
        await Incidents.InsertAsync(Db, Key, "payments", "critical", TimeSpan.FromMinutes(1));
        await using var server = await StartAsync();
        var payload = new ClickPayload(Key, Slack.ResponseUrl("r")) { Message = message.Replace("SECTION", Section).Replace("BUTTON", Button) };

        var answer = await ClickAsync(server, payload);

        Assert.True(answer.Status == 200, $"{oddity}: {answer.Status} {answer.Raw}");
        Assert.Equal((true, $"slack:{SlackClick.UserId}"), await Incidents.AckStateAsync(Db, Key));
        Assert.Equal([("slack_interactions", 200)], await AuditAsync());
        // The answer still reaches the response_url: the original rebuilt, or, when it cannot be, a plain message.
        await Eventually.TrueAsync(() => Task.FromResult(Slack.ResponsesTo("r").Any(p => p.Accepted)), TimeSpan.FromSeconds(30),
            $"the response_url answer to a click whose message has {oddity}");
        var reply = Assert.Single(Slack.ResponsesTo("r")).Json;
        Assert.Contains($"Acknowledged by <@{SlackClick.UserId}>", reply.GetProperty("text").GetString());
        Assert.True(reply.GetProperty("replace_original").GetBoolean());
        if (reply.TryGetProperty("blocks", out var blocks))
        {
            Assert.Equal(JsonValueKind.Array, blocks.ValueKind);
            Assert.DoesNotContain("\"action_id\":\"ack\"", blocks.GetRawText());
        }
    }
}
