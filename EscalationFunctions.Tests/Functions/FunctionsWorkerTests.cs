using System.Text.Json;
using EscalationFunctions.Engine.Escalation;
using EscalationFunctions.Engine.Ops;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Support;

namespace EscalationFunctions.Tests.Functions;

/// <summary>
/// The compiled Functions app end to end: its worker process under the host stand-in, real
/// PostgreSQL, the Slack stand-in, and HTTP through the host's front end (function keys, routes).
/// </summary>
public class FunctionsWorkerTests(FunctionsWorkerFixture worker) : IClassFixture<FunctionsWorkerFixture>, IAsyncLifetime
{
    private TestDatabase Db => worker.Db;

    public Task InitializeAsync() => Db.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public void The_worker_reports_the_timer_and_the_three_ops_routes_behind_a_function_key()
    {
        var functions = worker.Host.Functions.ToDictionary(f => f.Name);

        Assert.Equal(["EscalationTick", "OpsHealth", "OpsRecalc", "OpsTick"], functions.Keys.Order());
        var timer = functions["EscalationTick"];
        Assert.True(timer.IsTimer);
        Assert.Equal("%ESC_TICK_SCHEDULE%", timer.Schedule);
        Assert.False(timer.Trigger.GetProperty("runOnStartup").GetBoolean());
        foreach (var (name, route) in new[] { ("OpsTick", OpsRoutes.Tick), ("OpsRecalc", OpsRoutes.Recalc), ("OpsHealth", OpsRoutes.Health) })
        {
            Assert.True(functions[name].IsHttp);
            Assert.Equal(route, functions[name].Route);
            Assert.Equal("function", functions[name].AuthLevel, ignoreCase: true);
            Assert.Equal(["DELETE", "GET", "PATCH", "POST", "PUT"], functions[name].Methods.Order());
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
}
