using System.Diagnostics;
using System.Text.Json;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Testing;
using EscalationFunctions.Testing.FunctionsHost;
using EscalationFunctions.Tests.Support;
using Xunit.Abstractions;

namespace EscalationFunctions.Tests.Functions;

/// <summary>
/// Reference §1.1: the compiled worker told to stop (WorkerTerminate) while a timer invocation
/// delivers starts no new claim or post, hands back its webhooks and unposted messages, completes
/// the invocation and exits within the host's grace (5 s); the next instance goes on at once.
/// Two moments: while the first lanes run, and after the lanes' leases were renewed.
/// </summary>
[Lane(TestLane.Process)]
public class FunctionsStopTests(ITestOutputHelper output)
{
    private const int Webhooks = 20;
    private const int PerWebhook = 10;

    [Theory]
    [InlineData(0.5)] // the first lanes of the invocation
    [InlineData(4.0)] // lanes whose leases the heartbeat has renewed (every 1.5 s)
    public async Task A_stop_during_a_timer_invocation_hands_everything_back_and_the_next_instance_goes_on(double stopAfterSeconds)
    {
        await using var db = await TestDatabase.CreateAsync(nameof(FunctionsStopTests));
        await using var slack = await SlackStandIn.StartAsync();
        var routes = Enumerable.Range(0, Webhooks).Select(i => $"r{i}").ToArray();
        await Incidents.InsertDueAsync(db, Webhooks * PerWebhook, i => routes[i % Webhooks]);
        var settings = FunctionsWorkerFixture.Settings(db, slack, new()
        {
            [SettingNames.SlackRouteWebhooks] = JsonSerializer.Serialize(routes.ToDictionary(r => r, r => slack.WebhookUrl(r).AbsoluteUri)),
            [SettingNames.TickMs] = "60000", // an invocation budget of 48 s: the stop, not the budget, ends it
            [SettingNames.TickSchedule] = "0 */1 * * * *",
            [SettingNames.SlackMinIntervalMs] = "1000", // Slack's pace: each webhook's ten posts take nine seconds
            [SettingNames.SlackDigestThreshold] = "1000", // single messages, one per second
        });
        var host = await FunctionsHostStandIn.StartAsync(settings);
        Stopwatch stopping;
        Task<InvocationResult> invocation;
        try
        {
            invocation = host.InvokeTimerAsync("EscalationTick");
            await Eventually.TrueAsync(() => Task.FromResult(slack.Posts.Count > 0), TimeSpan.FromSeconds(30), "the first posts");
            // The moment of the stop within the invocation is the case under test (before or after the
            // 1.5 s heartbeat renewed leases); every lane posts once a second, so no row marks it.
            await Task.Delay(TimeSpan.FromSeconds(stopAfterSeconds));

            var stopAt = DateTimeOffset.UtcNow;
            stopping = Stopwatch.StartNew();
            Assert.Equal(0, await host.TerminateAsync(TimeSpan.FromSeconds(5)));
            stopping.Stop();
            var result = await invocation;
            var postedBeforeStop = slack.Posts.Count(p => p.At <= stopAt);
            var lateStarts = slack.Posts.Where(p => p.At > stopAt + TimeSpan.FromSeconds(1)).ToList();
            output.WriteLine($"{postedBeforeStop} posts before the stop, {slack.Posts.Count - postedBeforeStop} after it; exited {stopping.Elapsed.TotalSeconds:F1} s after WorkerTerminate");

            Assert.True(result.Succeeded, $"the invocation did not complete: {result.Exception}");
            Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(5), $"the worker took {stopping.Elapsed.TotalSeconds:F1} s to exit");
            Assert.True(lateStarts.Count == 0, $"{lateStarts.Count} posts arrived more than 1 s after the stop");
        }
        finally
        {
            await host.DisposeAsync();
        }

        // Nothing is left held: no lane, no claimed message (the stand-in answers at once, so none was in flight for long).
        Assert.Equal(0, await db.ScalarAsync<long>("SELECT count(*) FROM slack_webhook_lanes WHERE lease_until > now()"));
        Assert.Equal(0, await db.ScalarAsync<long>("SELECT count(*) FROM notification_outbox WHERE status = 'pending' AND lease_until > now()"));
        Assert.True(await db.ScalarAsync<long>("SELECT count(*) FROM notification_outbox WHERE status = 'pending'") > 0, "the stop left work to hand over");

        // The next instance: a plain server on the same database posts the rest, starting within 10 s.
        var before = slack.Posts.Count;
        var serverSettings = new Dictionary<string, string>(settings) { [SettingNames.TickMs] = "60000" };
        serverSettings.Remove(SettingNames.TickSchedule);
        var startedAt = DateTimeOffset.UtcNow;
        await using var next = await ServerProcess.StartAsync(serverSettings);
        await Eventually.TrueAsync(() => Task.FromResult(slack.Posts.Count > before), TimeSpan.FromSeconds(30), "the next instance's first post");
        var resumedIn = slack.Posts.Skip(before).Min(p => p.At) - startedAt;
        output.WriteLine($"the next instance posted {resumedIn.TotalSeconds:F1} s after it was started");
        Assert.True(resumedIn <= TimeSpan.FromSeconds(10), $"the next instance posted only {resumedIn.TotalSeconds:F1} s after it was started");
        await Eventually.TrueAsync(async () => await db.ScalarAsync<long>("SELECT count(*) FROM notification_outbox WHERE status = 'pending'") == 0,
            TimeSpan.FromSeconds(60), "every page sent");
        Assert.Equal(Webhooks * PerWebhook, slack.Posts.Select(p => p.DedupHeader).Distinct().Count());
        Assert.Equal(Webhooks * PerWebhook, slack.Posts.Count); // nothing was in flight at the stop: no page repeats
    }
}
