using System.Text.Json;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Testing;
using EscalationFunctions.Testing.FunctionsHost;
using EscalationFunctions.Tests.Support;

namespace EscalationFunctions.Tests.Functions;

/// <summary>
/// Acknowledge through the compiled Functions app under the host stand-in: one ack
/// call and one Slack click, each through the host's front end with its function key, real
/// PostgreSQL, and the Slack stand-in receiving the response_url answer.
/// </summary>
[Lane(TestLane.Process)]
public sealed class FunctionsAcknowledgeTests : IAsyncLifetime
{
    private TestDatabase _db = null!;
    private SlackStandIn _slack = null!;
    private FunctionsHostStandIn _host = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync(nameof(FunctionsAcknowledgeTests));
        _slack = await SlackStandIn.StartAsync();
        _host = await FunctionsHostStandIn.StartAsync(FunctionsWorkerFixture.Settings(_db, _slack, new()
        {
            [SettingNames.SlackSigningSecret] = SlackClick.Secret,
            [SettingNames.SlackResponseUrlHosts] = "hooks.slack.com,127.0.0.1",
        }));
        _client = new HttpClient { BaseAddress = _host.BaseUrl, Timeout = TimeSpan.FromSeconds(60) };
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _host.DisposeAsync();
        await _slack.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public void The_worker_reports_the_ack_and_Slack_routes_behind_a_function_key()
    {
        var functions = _host.Functions.ToDictionary(f => f.Name);

        Assert.Equal("ops/incidents/{incident_key}/ack", functions["OpsAck"].Route);
        Assert.Equal("slack/interactions", functions["SlackInteractions"].Route);
        Assert.Equal("function", functions["OpsAck"].AuthLevel, ignoreCase: true);
        Assert.Equal("function", functions["SlackInteractions"].AuthLevel, ignoreCase: true);
    }

    [Fact]
    public async Task An_ack_call_with_the_key_acknowledges_through_the_worker()
    {
        await Incidents.InsertAsync(_db, "FN-ACK 1", "payments", "critical", TimeSpan.FromMinutes(6));
        var request = OpsCall.Signed("/ops/incidents/FN-ACK%201/ack");
        request.Headers.Add("x-functions-key", _host.FunctionKey);
        var noKey = await OpsCall.SendAsync(_client, OpsCall.Signed("/ops/incidents/FN-ACK%201/ack"));

        var answer = await OpsCall.SendAsync(_client, request);

        Assert.Equal(401, noKey.Status);
        Assert.Equal(200, answer.Status);
        Assert.Equal("FN-ACK 1", answer.Json.GetProperty("incidentKey").GetString());
        Assert.Equal("alice", answer.Json.GetProperty("acknowledgedBy").GetString());
        Assert.False(answer.Json.GetProperty("alreadyAcknowledged").GetBoolean());
        Assert.Equal("alice", await _db.ScalarAsync<string>("SELECT acknowledged_by FROM incidents"));
        Assert.Equal(["alice ack ok"], await _db.QueryAsync("SELECT caller || ' ' || endpoint || ' ' || outcome FROM ops_audit", r => r.GetString(0)));
    }

    [Fact]
    public async Task A_click_with_the_key_in_code_acknowledges_and_the_answer_reaches_the_response_url()
    {
        await Incidents.InsertAsync(_db, "FN-CLICK-1", "payments", "critical", TimeSpan.FromMinutes(6));
        var timer = await _host.InvokeTimerAsync("EscalationTick");
        Assert.True(timer.Succeeded, timer.Exception);
        ReceivedPost? posted = null;
        await Eventually.TrueAsync(() => Task.FromResult((posted = _slack.PostsTo("global").FirstOrDefault()) is not null), TimeSpan.FromSeconds(30),
            "the escalation reaches Slack");
        Assert.Contains("\"action_id\":\"ack\"", posted!.Body);

        var click = SlackClick.Signed($"/slack/interactions?code={_host.FunctionKey}",
            SlackClick.FormBody(SlackClick.Payload("FN-CLICK-1", _slack.ResponseUrl("fn"), message: posted.Body)));
        var answer = await OpsCall.SendAsync(_client, click);

        Assert.Equal(200, answer.Status);
        Assert.Equal($"slack:{SlackClick.UserId}", await _db.ScalarAsync<string>("SELECT acknowledged_by FROM incidents"));
        await Eventually.TrueAsync(() => Task.FromResult(_slack.ResponsesTo("fn").Any(p => p.Accepted)), TimeSpan.FromSeconds(30), "the response_url answer");
        var reply = _slack.ResponsesTo("fn").Single().Json;
        Assert.True(reply.GetProperty("replace_original").GetBoolean());
        Assert.StartsWith($":white_check_mark: Acknowledged by <@{SlackClick.UserId}>", reply.GetProperty("text").GetString());
        Assert.DoesNotContain("\"action_id\":\"ack\"", reply.GetRawText());
    }

    /// <summary>
    /// Reference §6.2 through the Functions front end: keys a path cannot carry everywhere go in the signed
    /// body; a path segment that is not UTF-8 is 400; and a dot segment, which the host's web server
    /// removes before routing, never acknowledges another incident.
    /// </summary>
    [Fact]
    public async Task Keys_a_path_cannot_carry_go_in_the_body_and_a_bad_segment_names_no_incident()
    {
        var fourByteKey = string.Concat(Enumerable.Repeat(char.ConvertFromUtf32(0x1F525), 500)); // 1,000 UTF-16 units, 2,000 UTF-8 bytes
        foreach (var key in new[] { ".", "..", "%FF", fourByteKey })
        {
            await Incidents.InsertAsync(_db, key, "payments", "critical", TimeSpan.FromMinutes(6));
        }

        async Task<OpsCall.Answer> SendAsync(string path, string body)
        {
            var request = OpsCall.Signed(path, body: body);
            request.Headers.Add("x-functions-key", _host.FunctionKey);
            return await OpsCall.SendAsync(_client, request);
        }

        var dotByPath = await SendAsync("/ops/incidents/%2E/ack", """{"requestId":"dot"}""");
        var ff = await SendAsync("/ops/incidents/%FF/ack", """{"requestId":"ff"}""");
        var percent = await SendAsync("/ops/incidents/%25FF/ack", """{"requestId":"percent"}"""); // the host turns it into what %FF becomes
        Assert.NotEqual(200, dotByPath.Status);
        Assert.Equal((400, "invalid_incident_key"), (ff.Status, ff.Error));
        Assert.Equal((400, "invalid_incident_key"), (percent.Status, percent.Error));
        Assert.Equal(0, await _db.ScalarAsync<long>("SELECT count(*) FROM incidents WHERE acknowledged_at IS NOT NULL"));

        foreach (var key in new[] { ".", "..", fourByteKey })
        {
            var answer = await SendAsync("/ops/incidents/ack", JsonSerializer.Serialize(new { incidentKey = key }));
            Assert.Equal(200, answer.Status);
            Assert.Equal(key, answer.Json.GetProperty("incidentKey").GetString());
        }
        Assert.Equal([".", "..", fourByteKey], (await _db.QueryAsync("SELECT incident_key FROM incidents WHERE acknowledged_by = 'alice'",
            r => r.GetString(0))).Order(StringComparer.Ordinal));
        Assert.Null(await _db.ScalarAsync<string>("SELECT acknowledged_by FROM incidents WHERE incident_key = '%FF'"));
    }
}
