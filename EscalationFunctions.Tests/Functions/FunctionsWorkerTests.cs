using System.Text.Json;
using EscalationFunctions.Engine.Endpoints;
using EscalationFunctions.Engine.Tick;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Support;

namespace EscalationFunctions.Tests.Functions;

/// <summary>
/// The compiled Functions app end to end: its worker process under the host stand-in, real
/// PostgreSQL, the Slack stand-in, and HTTP through the host's front end (function keys, routes).
/// </summary>
[Lane(TestLane.Process)]
public class FunctionsWorkerTests(FunctionsWorkerFixture worker) : IClassFixture<FunctionsWorkerFixture>, IAsyncLifetime
{
    private TestDatabase Db => worker.Db;

    public Task InitializeAsync() => Db.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public void The_worker_reports_the_timer_and_the_ops_and_Slack_routes_behind_a_function_key()
    {
        var functions = worker.Host.Functions.ToDictionary(f => f.Name);

        Assert.Equal(["EscalationTick", "OpsAck", "OpsAckByBody", "OpsHealth", "OpsRecalc", "OpsTick", "SlackInteractions"], functions.Keys.Order());
        var timer = functions["EscalationTick"];
        Assert.True(timer.IsTimer);
        Assert.Equal("%ESC_TICK_SCHEDULE%", timer.Schedule);
        Assert.False(timer.Trigger.GetProperty("runOnStartup").GetBoolean());

        // One function per route the Functions app serves, with the route table's template: the two hosts cannot drift apart.
        var httpFunctions = functions.Values.Where(f => f.IsHttp).ToList();
        Assert.Equal(RouteTable.All.Where(r => r.ServedByFunctionsApp).Select(r => r.Template).Order(), httpFunctions.Select(f => f.Route).Order());
        foreach (var function in httpFunctions)
        {
            Assert.Equal("function", function.AuthLevel, ignoreCase: true);
            Assert.Equal(["DELETE", "GET", "PATCH", "POST", "PUT"], function.Methods.Order());
        }
        Assert.StartsWith("http://", worker.Host.WorkerCapabilities["HttpUri"]);
    }

    [Fact]
    public async Task One_timer_invocation_escalates_the_due_incidents_and_their_Slack_posts_arrive()
    {
        await Incidents.InsertDueAsync(Db, 3, prefix: "TIMER");
        await Incidents.InsertAsync(Db, "NOT-DUE", "default", "warning", TimeSpan.FromMinutes(1));
        var postsBefore = worker.Slack.Posts.Count;

        var result = await worker.Host.InvokeTimerAsync("EscalationTick");

        Assert.True(result.Succeeded, result.Exception);
        Assert.Equal(3, await Incidents.EventCountAsync(Db));
        Assert.Equal(0, await Incidents.LevelOfAsync(Db, "NOT-DUE"));
        await Eventually.TrueAsync(() => Task.FromResult(worker.Slack.Posts.Count - postsBefore == 3), TimeSpan.FromSeconds(30), "three Slack posts");
        var posts = worker.Slack.Posts.Skip(postsBefore).ToList();
        foreach (var i in Enumerable.Range(0, 3))
        {
            var key = $"TIMER-{i}";
            var post = Assert.Single(posts, p => p.DedupHeader == EscalationHash.Of(key, 1));
            Assert.Equal("global", post.Webhook);
            Assert.Equal(post.DedupHeader, post.Json.GetProperty("dedup_key").GetString());
            Assert.Contains($"{TestSettings.AppBaseUrl}/incidents/{key}", post.Body);
        }
        Assert.Contains(worker.Host.Logs, l => l.InvocationId == result.InvocationId && l.Message.Contains("Escalation timer fired (past due: False)"));
    }

    [Theory]
    [InlineData("/ops/escalation/tick", "POST")]
    [InlineData("/ops/escalation/recalc", "POST")]
    [InlineData("/ops/escalation/health", "GET")]
    public async Task Without_a_function_key_the_host_answers_401_and_the_worker_never_sees_the_call(string path, string method)
    {
        await Incidents.InsertDueAsync(Db, 1);
        var invocations = worker.Host.Invocations.Count;

        var noKey = await OpsCall.SendAsync(worker.Client, OpsCall.Signed(path, method: method));
        var wrongKey = await OpsCall.SendAsync(worker.Client, OpsCall.Signed($"{path}?code=not-the-key", method: method));

        Assert.Equal(401, noKey.Status);
        Assert.Equal(401, wrongKey.Status);
        Assert.Equal(invocations, worker.Host.Invocations.Count);
        Assert.Equal(0, await Incidents.EventCountAsync(Db));
        Assert.Equal(0, await Db.ScalarAsync<long>("SELECT count(*) FROM ops_audit"));
    }

    [Fact]
    public async Task A_signed_admin_tick_with_the_key_escalates_and_answers_the_specs_JSON_and_is_audited()
    {
        await Incidents.InsertDueAsync(Db, 2);
        var invocationsBefore = worker.Host.Invocations.Count;

        var answer = await OpsCall.SendAsync(worker.Client, worker.WithKey(OpsCall.Signed("/ops/escalation/tick")));

        Assert.Equal(200, answer.Status);
        Assert.StartsWith("application/json", answer.Response.Content.Headers.ContentType?.ToString());
        Assert.Equal(2, answer.Json.GetProperty("escalations").GetInt32());
        Assert.Equal(0, answer.Json.GetProperty("skippedIdempotent").GetInt32());
        Assert.False(answer.Json.GetProperty("dryRun").GetBoolean());
        Assert.False(answer.Json.GetProperty("paused").GetBoolean());
        Assert.Equal(2, await Incidents.EventCountAsync(Db));
        Assert.Equal(["alice tick ok"], await Db.QueryAsync("SELECT caller || ' ' || endpoint || ' ' || outcome FROM ops_audit", r => r.GetString(0)));
        // The client has the answer as soon as the worker writes it; its InvocationResponse follows.
        await Eventually.TrueAsync(() => Task.FromResult(worker.Host.Invocations.Count > invocationsBefore), TimeSpan.FromSeconds(30), "the InvocationResponse");
        var invocation = Assert.Single(worker.Host.Invocations.Skip(invocationsBefore));
        Assert.True(invocation is { FunctionName: "OpsTick", Succeeded: true }, invocation.ToString());
        Assert.Contains(worker.Host.Logs, l => l.InvocationId == invocation.InvocationId);
    }

    [Fact]
    public async Task Health_with_the_key_in_the_code_parameter_answers_the_specs_fields()
    {
        var answer = await OpsCall.SendAsync(worker.Client, new HttpRequestMessage(HttpMethod.Get, $"/ops/escalation/health?code={worker.Host.FunctionKey}"));

        Assert.Equal(200, answer.Status);
        foreach (var field in new[] { "enabled", "v1", "canaryPct", "tickLagMs", "dryRun", "paused", "lastTickAt", "pendingNotifications" })
        {
            Assert.True(answer.Json.TryGetProperty(field, out _), $"health lacks '{field}': {answer.Raw}");
        }
        Assert.True(answer.Json.GetProperty("enabled").GetBoolean());
        Assert.Equal(100, answer.Json.GetProperty("canaryPct").GetInt32());
    }

    [Fact]
    public async Task A_replayed_signature_is_refused_with_401_and_escalates_nothing_more()
    {
        await Incidents.InsertDueAsync(Db, 1);
        var first = worker.WithKey(OpsCall.Signed("/ops/escalation/tick"));
        var replay = await OpsCall.CloneAsync(first);

        var accepted = await OpsCall.SendAsync(worker.Client, first);
        await Incidents.InsertDueAsync(Db, 1, prefix: "LATER");
        var replayed = await OpsCall.SendAsync(worker.Client, replay);

        Assert.Equal(200, accepted.Status);
        Assert.Equal((401, "replayed_signature"), (replayed.Status, replayed.Error));
        Assert.Equal(1, await Incidents.EventCountAsync(Db));
    }

    [Fact]
    public async Task A_wrong_method_gets_the_handlers_JSON_405_and_one_no_function_lists_gets_the_hosts_404()
    {
        var get = await OpsCall.SendAsync(worker.Client, worker.WithKey(new HttpRequestMessage(HttpMethod.Get, "/ops/escalation/tick")));
        var head = await worker.Client.SendAsync(worker.WithKey(new HttpRequestMessage(HttpMethod.Head, "/ops/escalation/health")));
        var unknown = await worker.Client.SendAsync(worker.WithKey(new HttpRequestMessage(HttpMethod.Get, "/api/ops/escalation/health")));

        Assert.Equal((405, "method_not_allowed"), (get.Status, get.Error));
        Assert.Equal(404, (int)head.StatusCode);
        Assert.Equal(404, (int)unknown.StatusCode);
        Assert.Equal(0, await Incidents.EventCountAsync(Db));
    }
}
