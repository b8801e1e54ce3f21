using System.Text.Json;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Engine.Telemetry;
using EscalationFunctions.Testing;
using EscalationFunctions.Testing.FunctionsHost;
using EscalationFunctions.Tests.Hosting;
using EscalationFunctions.Tests.Support;

namespace EscalationFunctions.Tests.Functions;

/// <summary>
/// The Functions app's own Application Insights wiring (WorkerService 2.23.0 plus the worker's
/// integration, which the plain server does not have): with APPLICATIONINSIGHTS_CONNECTION_STRING
/// aimed at a loopback ingestion endpoint, the spec's seven metrics arrive from the worker process,
/// and WorkerTerminate stops it cleanly (exit 0) after sending what it buffered.
/// </summary>
[Lane(TestLane.Process)]
public class FunctionsTelemetryTests(DatabaseFixture fixture) : SlackTest(fixture)
{
    [Fact]
    public async Task A_timer_run_sends_the_seven_metrics_and_WorkerTerminate_ends_the_worker_with_exit_0()
    {
        await using var ingestion = await IngestionReceiver.StartAsync();
        await Incidents.InsertDueAsync(Db, 2, _ => "ok", prefix: "OK");
        await Incidents.InsertDueAsync(Db, 1, _ => "failing", prefix: "FAIL");
        await Db.ExecuteAsync(
            "INSERT INTO incidents (incident_key, route, severity, first_seen, escalation_level, last_escalated_at) VALUES ('HIGH', 'ok', 'critical', now() - interval '1 hour', 5, now())");
        Slack.SetDefault("failing", Reply.Status(500));
        var settings = FunctionsWorkerFixture.Settings(Db, Slack, new()
        {
            [SettingNames.ApplicationInsightsConnectionString] = ingestion.ConnectionString,
            // A one-second tick period, so the gauges are sampled while the test runs.
            [SettingNames.TickMs] = "1000",
            [SettingNames.TickSchedule] = "* * * * * *",
            [SettingNames.SlackRouteWebhooks] = JsonSerializer.Serialize(new Dictionary<string, string>
            {
                ["ok"] = Slack.WebhookUrl("ok").AbsoluteUri,
                ["failing"] = Slack.WebhookUrl("failing").AbsoluteUri,
            }),
        });
        await using var host = await FunctionsHostStandIn.StartAsync(settings);

        var run = await host.InvokeTimerAsync("EscalationTick");
        Assert.True(run.Succeeded, run.Exception);
        await Eventually.TrueAsync(() => Task.FromResult(Slack.PostsTo("ok").Count == 2 && Slack.PostsTo("failing").Count > 0),
            TimeSpan.FromSeconds(30), "the posts were sent, one of them refused");
        // tick_lag_ms exists only in a sample taken after the tick, and terminating ends the sampling.
        await TelemetryTests.GaugesSampledAfterAsync(Db, await Db.ScalarAsync<DateTime>("SELECT clock_timestamp()"));

        var exitCode = await host.TerminateAsync();

        Assert.True(exitCode == 0, $"exit code {exitCode}; output:\n{host.Output}");
        await Eventually.TrueAsync(() => Task.FromResult(MetricNames.All.All(name => ingestion.Metrics.Any(m => m.Name == name))),
            TimeSpan.FromSeconds(30), $"every metric arrived; so far: {string.Join(", ", ingestion.Metrics.Select(m => m.Name).Distinct())}");
        double Sum(string name) => ingestion.Metrics.Where(m => m.Name == name).Sum(m => m.Sum);
        double Max(string name) => ingestion.Metrics.Where(m => m.Name == name).Max(m => m.Max);
        Assert.Equal(3, Sum(MetricNames.EscalationsCount));
        Assert.Equal(0, Sum(MetricNames.SkippedIdempotent));
        Assert.True(Max(MetricNames.EscalationTickMs) > 0);
        Assert.True(Sum(MetricNames.SlackSendFailures) >= 1);
        Assert.Equal(1, Max(MetricNames.IncidentsLevelGe5));
        Assert.InRange(Max(MetricNames.TickLagMs), 0, 60_000);
    }
}
