using System.Text.Json;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Engine.Telemetry;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Support;
using Microsoft.ApplicationInsights;
using Microsoft.Extensions.DependencyInjection;

namespace EscalationFunctions.Tests.Hosting;

/// <summary>
/// The metrics of reference §7 (and §3.1's incidents_quarantined) reach Application Insights through the real SDK: the server posts
/// to an ingestion endpoint on loopback named by APPLICATIONINSIGHTS_CONNECTION_STRING.
/// </summary>
[Lane(TestLane.Database)]
public class TelemetryTests(DatabaseFixture fixture) : SlackTest(fixture)
{
    private IngestionReceiver _ingestion = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _ingestion = await IngestionReceiver.StartAsync();
    }

    public override async Task DisposeAsync()
    {
        await _ingestion.DisposeAsync();
        await base.DisposeAsync();
    }

    [Fact]
    public async Task Ticks_that_escalate_skip_quarantine_and_fail_a_Slack_post_send_every_metric_with_plausible_values()
    {
        await Incidents.InsertDueAsync(Db, 3, _ => "ok", prefix: "OK");
        await Incidents.InsertDueAsync(Db, 1, _ => "failing", prefix: "FAIL");
        await Incidents.InsertDueAsync(Db, 1, _ => "ok", prefix: "DUP");
        await Db.ExecuteAsync("INSERT INTO escalation_events (incident_key, level, unique_hash) VALUES ('DUP-0', 1, escalation_hash('DUP-0', 1))");
        await Db.ExecuteAsync(
            """
            INSERT INTO incidents (incident_key, route, severity, first_seen, escalation_level, last_escalated_at)
            VALUES ('HIGH-1', 'ok', 'critical', now() - interval '40 minutes', 5, now()),
                   ('HIGH-2', 'ok', 'warning', now() - interval '2 hours', 6, now())
            """);
        // A poison row: its level-1 message is already in the outbox, so escalating it breaks the outbox's unique index.
        await Incidents.InsertDueAsync(Db, 1, _ => "ok", prefix: "POISON");
        await Db.ExecuteAsync(
            "INSERT INTO notification_outbox (dedup_key, incident_key, level, route, severity, title, status) VALUES ('x', 'POISON-0', 1, 'ok', 'warning', '', 'sent')");
        Slack.SetDefault("failing", Reply.Status(500));
        var env = TestSettings.Environment(Db, Slack, new()
        {
            [SettingNames.ApplicationInsightsConnectionString] = _ingestion.ConnectionString,
            [SettingNames.TickMs] = "300",
            [SettingNames.SlackRouteWebhooks] = JsonSerializer.Serialize(new Dictionary<string, string>
            {
                ["ok"] = Slack.WebhookUrl("ok").AbsoluteUri,
                ["failing"] = Slack.WebhookUrl("failing").AbsoluteUri,
            }),
        });

        await using (var server = await InProcessServer.StartAsync(env))
        {
            await Eventually.TrueAsync(async () => await Incidents.EventCountAsync(Db) == 5 &&
                                                   Slack.PostsTo("failing").Count > 0 && Slack.PostsTo("ok").Count == 3,
                TimeSpan.FromSeconds(30), "the ticks escalated, skipped, and failed a post");
            await Eventually.TrueAsync(async () => await Db.ScalarAsync<long>("SELECT count(*) FROM incidents WHERE quarantined_at IS NOT NULL") == 1,
                TimeSpan.FromSeconds(30), "the poison row was quarantined");
            await GaugesSampledAfterAsync(Db, await Db.ScalarAsync<DateTime>("SELECT clock_timestamp()"));
            await server.Services.GetRequiredService<TelemetryClient>().FlushAsync(CancellationToken.None);
            await Eventually.TrueAsync(() => Task.FromResult(MetricNames.All.All(name => _ingestion.Metrics.Any(m => m.Name == name))),
                TimeSpan.FromSeconds(30), $"every metric arrived; so far: {string.Join(", ", _ingestion.Metrics.Select(m => m.Name).Distinct())}");
        }

        double Sum(string name) => _ingestion.Metrics.Where(m => m.Name == name).Sum(m => m.Sum);
        double Max(string name) => _ingestion.Metrics.Where(m => m.Name == name).Max(m => m.Max);
        Assert.True(Max(MetricNames.EscalationTickMs) > 0);
        Assert.Equal(4, Sum(MetricNames.EscalationsCount));
        Assert.Equal(1, Sum(MetricNames.SkippedIdempotent));
        Assert.True(Sum(MetricNames.SlackSendFailures) >= 1);
        Assert.InRange(Max(MetricNames.QueueLagMs), 0, 120_000);
        Assert.InRange(Max(MetricNames.TickLagMs), 0, 60_000);
        Assert.Equal(2, Max(MetricNames.IncidentsLevelGe5));
        Assert.Equal(1, Max(MetricNames.IncidentsQuarantined));
    }

    /// <summary>
    /// Waits until the gauge sampler (<c>MetricsSamplerService</c>) has tracked a sample read after
    /// <paramref name="after"/> (database clock). The gauges leave the process only aggregated, so the
    /// sample is seen where it happens: its status read in <c>pg_stat_activity</c>. The sampler tracks a
    /// read's values before it starts the next read, so a second read proves the first was tracked.
    /// </summary>
    internal static async Task GaugesSampledAfterAsync(TestDatabase db, DateTime after)
    {
        var first = await SamplerReadAfterAsync(db, after);
        await SamplerReadAfterAsync(db, first);
    }

    private static async Task<DateTime> SamplerReadAfterAsync(TestDatabase db, DateTime after)
    {
        DateTime? started = null;
        await Eventually.TrueAsync(async () =>
            {
                // The pattern is a parameter, so this query's own text does not match it.
                started = await db.ScalarAsync<DateTime?>(
                    """
                    SELECT max(query_start) FROM pg_stat_activity
                    WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE @read AND query_start > @after
                    """,
                    ("read", "%(SELECT max(last_completed_at) FROM escalation_ticks),%"), ("after", after));
                return started is not null;
            },
            TimeSpan.FromSeconds(30), $"the gauge sampler read the worker status (WorkerStatusSql.Read) after {after:O}");
        return started!.Value;
    }
}
