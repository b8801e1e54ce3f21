using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml;
using EscalationFunctions.Engine.Telemetry;
using static EscalationFunctions.Tests.Infra.Snapshot;

namespace EscalationFunctions.Tests.Infra;

/// <summary>The alert rules of reference §7 (and 1.1's quarantine and dead-letter rules) in the snapshot: thresholds and queries.</summary>
[Lane(TestLane.Infra)]
[Collection(InfraCollection.Name)]
public partial class AlertRuleTests(InfraSnapshots infra)
{
    private const string RuleType = "Microsoft.Insights/scheduledQueryRules";

    private static readonly string[] RuleSuffixes =
        ["tick-duration", "slack-failures", "incidents-level-ge5", "tick-lag", "incidents-quarantined", "dead-notifications"];

    /// <summary>The windows a log search alert accepts.</summary>
    private static readonly string[] AllowedWindows =
        ["PT1M", "PT5M", "PT10M", "PT15M", "PT30M", "PT45M", "PT1H", "PT2H", "PT3H", "PT4H", "PT5H", "PT6H", "P1D", "P2D"];

    [Fact]
    public void Six_log_alerts_on_Application_Insights_notify_the_on_call_action_group()
    {
        var snapshot = infra.Custom;
        Assert.Equal(RuleSuffixes.Order(), snapshot.OfType(RuleType).Select(r => Str(r["name"]).Replace("escalation-infratest-", "", StringComparison.Ordinal)).Order());
        var appInsightsId = snapshot.IdOf(snapshot.Single("Microsoft.Insights/components"));
        var actionGroup = snapshot.Single("Microsoft.Insights/actionGroups");
        Assert.Equal("oncall@example.com", Str(Assert.Single(actionGroup["properties"]!["emailReceivers"]!.AsArray())!["emailAddress"]));

        foreach (var suffix in RuleSuffixes)
        {
            var rule = Rule(snapshot, suffix);
            var properties = rule["properties"]!;
            Assert.Equal("LogAlert", Str(rule["kind"]));
            Assert.True(properties["enabled"]!.GetValue<bool>());
            Assert.True(properties["autoMitigate"]!.GetValue<bool>());
            Assert.Equal(appInsightsId, Str(Assert.Single(properties["scopes"]!.AsArray())));
            Assert.Equal(snapshot.IdOf(actionGroup), Str(Assert.Single(properties["actions"]!["actionGroups"]!.AsArray())));
            Assert.Contains(Str(properties["windowSize"]), AllowedWindows);
            Assert.True(Duration(properties["evaluationFrequency"]) <= Duration(properties["windowSize"]), $"{suffix}: evaluated less often than its window.");
        }

        // The outputs list every rule (azd shows them after provisioning).
        Assert.Equal(snapshot.OfType(RuleType).Select(r => Str(r["name"])).Order(),
            snapshot.Outputs["ALERT_RULES"]!.AsArray().Select(Str).Order());
    }

    [Fact]
    public void Every_metric_a_rule_queries_is_a_spec_metric()
    {
        foreach (var suffix in RuleSuffixes)
        {
            var query = Query(infra.Custom, suffix);
            var names = MetricNameInQuery().Matches(query).SelectMany(m => QuotedName().Matches(m.Value)).Select(m => m.Groups[1].Value).ToList();
            Assert.NotEmpty(names);
            Assert.All(names, n => Assert.Contains(n, MetricNames.All));
        }
    }

    [Fact]
    public void Tick_thresholds_are_twice_ESC_TICK_MS_and_the_window_covers_them()
    {
        foreach (var tick in InfraSnapshots.SampledTicks.Append(InfraSnapshots.CustomTickMs).Append(60000))
        {
            var snapshot = infra.ForTick(tick);
            Assert.Equal(tick.ToString(CultureInfo.InvariantCulture), snapshot.AppSettings["ESC_TICK_MS"]);
            foreach (var suffix in new[] { "tick-duration", "tick-lag" })
            {
                Assert.Equal(2 * tick, Num(Criterion(snapshot, suffix)["threshold"]));
                var window = Duration(Rule(snapshot, suffix)["properties"]!["windowSize"]);
                Assert.True(window >= TimeSpan.FromMilliseconds(2 * tick), $"escTickMs={tick}: {suffix} window {window} is shorter than 2 x ESC_TICK_MS.");
                Assert.True(window >= TimeSpan.FromMinutes(5), $"escTickMs={tick}: {suffix} window {window} is shorter than 5 minutes.");
            }
        }
        Assert.Equal(120000, Num(Criterion(infra.Default, "tick-duration")["threshold"]));
    }

    [Fact]
    public void Tick_duration_rule_fires_on_the_longest_tick()
    {
        var criterion = Criterion(infra.Custom, "tick-duration");
        Assert.Equal("GreaterThan", Str(criterion["operator"]));
        Assert.Equal("TickMs", Str(criterion["metricMeasureColumn"]));
        var query = Str(criterion["query"]);
        Assert.Contains($"name == '{MetricNames.EscalationTickMs}'", query);
        Assert.Contains("TickMs = max(valueMax)", query);
    }

    [Fact]
    public void Level_ge5_rule_uses_its_threshold_parameter()
    {
        Assert.Equal(InfraSnapshots.CustomLevelGe5Threshold, Num(Criterion(infra.Custom, "incidents-level-ge5")["threshold"]));
        Assert.Equal(0, Num(Criterion(infra.Default, "incidents-level-ge5")["threshold"]));
        var criterion = Criterion(infra.Custom, "incidents-level-ge5");
        Assert.Equal("GreaterThan", Str(criterion["operator"]));
        Assert.Contains($"name == '{MetricNames.IncidentsLevelGe5}'", Str(criterion["query"]));
    }

    [Theory]
    [InlineData("incidents-quarantined", MetricNames.IncidentsQuarantined)]
    [InlineData("dead-notifications", MetricNames.DeadNotifications)]
    public void Quarantined_incidents_and_dead_lettered_messages_alert_above_zero(string suffix, string metric)
    {
        foreach (var snapshot in new[] { infra.Custom, infra.Default })
        {
            var criterion = Criterion(snapshot, suffix);
            Assert.Equal(0, Num(criterion["threshold"]));
            Assert.Equal("GreaterThan", Str(criterion["operator"]));
            Assert.Equal("Maximum", Str(criterion["timeAggregation"]));
            var query = Str(criterion["query"]);
            Assert.Contains($"name == '{metric}'", query);
            Assert.Contains($"{Str(criterion["metricMeasureColumn"])} = max(valueMax)", query);
            Assert.Equal(1, Num(Rule(snapshot, suffix)["properties"]!["severity"]));
        }
    }

    [Fact]
    public void Slack_failure_rule_fires_on_any_failure_in_5_minutes()
    {
        var criterion = Criterion(infra.Custom, "slack-failures");
        Assert.Equal(0, Num(criterion["threshold"]));
        Assert.Equal("GreaterThan", Str(criterion["operator"]));
        Assert.Equal("Total", Str(criterion["timeAggregation"]));
        Assert.Equal("PT5M", Str(Rule(infra.Custom, "slack-failures")["properties"]!["windowSize"]));
        var query = Str(criterion["query"]);
        Assert.Contains($"name == '{MetricNames.SlackSendFailures}'", query);
        Assert.Contains("Failures = sum(valueSum)", query);
    }

    [Fact]
    public void Tick_lag_rule_also_fires_when_no_tick_runs_at_all()
    {
        foreach (var tick in InfraSnapshots.SampledTicks.Append(InfraSnapshots.CustomTickMs).Append(60000))
        {
            var snapshot = infra.ForTick(tick);
            var criterion = Criterion(snapshot, "tick-lag");
            var query = Str(criterion["query"]);
            var threshold = Num(criterion["threshold"]);
            var window = Duration(Rule(snapshot, "tick-lag")["properties"]!["windowSize"]);

            Assert.Equal("GreaterThan", Str(criterion["operator"]));
            Assert.Equal("TickLagMs", Str(criterion["metricMeasureColumn"]));
            // Both the reported lag and the completed ticks are read...
            Assert.Contains($"name in ('{MetricNames.TickLagMs}', '{MetricNames.EscalationTickMs}')", query);
            Assert.Contains($"CompletedTicks = countif(name == '{MetricNames.EscalationTickMs}')", query);
            // ...in one summarize without "by", which returns a row even when the window has no metrics at all...
            var summarize = Assert.Single(query.Split('\n'), l => l.TrimStart().StartsWith("| summarize", StringComparison.Ordinal));
            Assert.DoesNotContain(" by ", summarize);
            // ...and with no completed tick the measured lag is the whole window plus one, above the threshold.
            var windowMs = long.Parse(WindowLet().Match(query).Groups[1].Value, CultureInfo.InvariantCulture);
            Assert.Equal((long)window.TotalMilliseconds, windowMs);
            Assert.Contains("TickLagMs = iff(CompletedTicks == 0, todouble(windowMs + 1), coalesce(ReportedLagMs, 0.0))", query);
            Assert.True(windowMs + 1 > threshold, $"escTickMs={tick}: with no tick the query reports {windowMs + 1} ms, not above the {threshold} ms threshold.");
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------

    private static JsonObject Rule(Snapshot snapshot, string suffix) => snapshot.Named(RuleType, "-" + suffix);

    private static JsonNode Criterion(Snapshot snapshot, string suffix) =>
        Assert.Single(Rule(snapshot, suffix)["properties"]!["criteria"]!["allOf"]!.AsArray())!;

    private static string Query(Snapshot snapshot, string suffix) => Str(Criterion(snapshot, suffix)["query"]);

    private static TimeSpan Duration(JsonNode? iso) => XmlConvert.ToTimeSpan(Str(iso));

    [GeneratedRegex(@"name\s*(==|in)\s*(\([^)]*\)|'[^']*')")]
    private static partial Regex MetricNameInQuery();

    [GeneratedRegex(@"'([^']*)'")]
    private static partial Regex QuotedName();

    [GeneratedRegex(@"let windowMs = (\d+);")]
    private static partial Regex WindowLet();
}
