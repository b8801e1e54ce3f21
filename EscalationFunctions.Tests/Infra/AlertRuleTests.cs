using System.Text.RegularExpressions;
using System.Xml;
using EscalationFunctions.Engine.Telemetry;

namespace EscalationFunctions.Tests.Infra;

/// <summary>The four alert rules of spec §7 in the compiled template, their thresholds and queries.</summary>
[Collection(InfraCollection.Name)]
public partial class AlertRuleTests(CompiledInfra infra)
{
    private static readonly string[] RuleSuffixes = ["tick-duration", "slack-failures", "incidents-level-ge5", "tick-lag"];

    /// <summary>The windows a log search alert accepts.</summary>
    private static readonly string[] AllowedWindows =
        ["PT1M", "PT5M", "PT10M", "PT15M", "PT30M", "PT45M", "PT1H", "PT2H", "PT3H", "PT4H", "PT5H", "PT6H", "P1D", "P2D"];

    [Fact]
    public void There_are_four_log_alerts_on_Application_Insights_that_notify_the_action_group()
    {
        var root = infra.Custom();
        Assert.Equal(4, InfraResources.OfType(root, "Microsoft.Insights/scheduledQueryRules").Count);
        var (aiScope, appInsights) = InfraResources.Single(root, "Microsoft.Insights/components");
        var appInsightsId = $"resourceId('Microsoft.Insights/components', {aiScope.NameOf(appInsights)})";
        var (agScope, actionGroup) = InfraResources.Single(root, "Microsoft.Insights/actionGroups");
        var actionGroupId = $"resourceId('Microsoft.Insights/actionGroups', {agScope.NameOf(actionGroup)})";

        var receiver = Assert.Single(Obj(agScope.Evaluate(actionGroup["properties"]))["emailReceivers"] as List<object?> ?? []);
        Assert.Equal("oncall@example.com", Obj(receiver)["emailAddress"]);

        foreach (var suffix in RuleSuffixes)
        {
            var (scope, rule) = InfraResources.AlertRule(root, suffix);
            var evaluated = Obj(scope.Evaluate(rule));
            var properties = Obj(evaluated["properties"]);
            Assert.Equal("LogAlert", evaluated["kind"]);
            Assert.Equal(true, properties["enabled"]);
            Assert.Equal(true, properties["autoMitigate"]);
            Assert.Equal(appInsightsId, ((Symbolic)Assert.Single((List<object?>)properties["scopes"]!)!).Text);
            Assert.Equal(actionGroupId, ((Symbolic)Assert.Single((List<object?>)Obj(properties["actions"])["actionGroups"]!)!).Text);
            Assert.Contains(properties["windowSize"], AllowedWindows);
            Assert.True(Duration(properties["evaluationFrequency"]) <= Duration(properties["windowSize"]), $"{suffix}: evaluated less often than its window.");
        }
    }

    [Fact]
    public void Every_metric_a_rule_queries_is_a_spec_metric()
    {
        foreach (var suffix in RuleSuffixes)
        {
            var query = Query(infra.Custom(), suffix);
            var names = MetricNameInQuery().Matches(query).SelectMany(m => QuotedName().Matches(m.Value)).Select(m => m.Groups[1].Value).ToList();
            Assert.NotEmpty(names);
            Assert.All(names, n => Assert.Contains(n, MetricNames.All));
        }
    }

    [Fact]
    public void Tick_thresholds_reference_the_escTickMs_parameter_twice_over()
    {
        // How the compiled template wires it: main passes escTickMs to the alerts module, which doubles it.
        var alertsModule = infra.Custom().Module("alerts");
        Assert.Equal("[parameters('escTickMs')]",
            infra.Template["resources"]!.AsArray().Single(r => r!["name"]!.GetValue<string>() == "alerts")!["properties"]!["parameters"]!["escTickMs"]!["value"]!.GetValue<string>());
        Assert.Equal("[mul(parameters('escTickMs'), 2)]", alertsModule.Template["variables"]!["tickThresholdMs"]!.GetValue<string>());
        foreach (var suffix in new[] { "tick-duration", "tick-lag" })
        {
            var (_, rule) = InfraResources.AlertRule(infra.Custom(), suffix);
            Assert.Equal("[variables('tickThresholdMs')]", rule["properties"]!["criteria"]!["allOf"]![0]!["threshold"]!.GetValue<string>());
        }

        // And the numbers: the test params file's 30000 ms and main.bicepparam's 60000 ms.
        Assert.Equal(2 * CompiledInfra.CustomTickMs, Threshold(infra.Custom(), "tick-duration"));
        Assert.Equal(2 * CompiledInfra.CustomTickMs, Threshold(infra.Custom(), "tick-lag"));
        Assert.Equal(120000L, Threshold(infra.Default(), "tick-duration"));
        Assert.Equal(120000L, Threshold(infra.Default(), "tick-lag"));
    }

    [Fact]
    public void For_every_allowed_tick_the_thresholds_are_twice_the_tick_and_the_window_covers_them()
    {
        foreach (var tick in FunctionAppSettingsTests.AllowedTickValues(infra.Template))
        {
            var root = infra.Custom(new Dictionary<string, object?> { ["escTickMs"] = tick });
            foreach (var suffix in new[] { "tick-duration", "tick-lag" })
            {
                Assert.Equal(2 * tick, Threshold(root, suffix));
                var window = Duration(Evaluated(root, suffix)["windowSize"]);
                Assert.True(window >= TimeSpan.FromMilliseconds(2 * tick), $"escTickMs={tick}: {suffix} window {window} is shorter than 2 x ESC_TICK_MS.");
                Assert.True(window >= TimeSpan.FromMinutes(5), $"escTickMs={tick}: {suffix} window {window} is shorter than 5 minutes.");
            }
        }
    }

    [Fact]
    public void Tick_duration_rule_fires_on_the_longest_tick()
    {
        var criterion = Criterion(infra.Custom(), "tick-duration");
        Assert.Equal("GreaterThan", criterion["operator"]);
        Assert.Equal("TickMs", criterion["metricMeasureColumn"]);
        var query = (string)criterion["query"]!;
        Assert.Contains($"name == '{MetricNames.EscalationTickMs}'", query);
        Assert.Contains("TickMs = max(valueMax)", query);
    }

    [Fact]
    public void Level_ge5_rule_uses_its_threshold_parameter()
    {
        Assert.Equal("[parameters('incidentsLevelGe5Threshold')]",
            InfraResources.AlertRule(infra.Custom(), "incidents-level-ge5").Rule["properties"]!["criteria"]!["allOf"]![0]!["threshold"]!.GetValue<string>());
        Assert.Equal(CompiledInfra.CustomLevelGe5Threshold, Threshold(infra.Custom(), "incidents-level-ge5"));
        Assert.Equal(0L, Threshold(infra.Default(), "incidents-level-ge5"));
        Assert.Equal(17L, Threshold(infra.Custom(new Dictionary<string, object?> { ["incidentsLevelGe5Threshold"] = 17L }), "incidents-level-ge5"));

        var criterion = Criterion(infra.Custom(), "incidents-level-ge5");
        Assert.Equal("GreaterThan", criterion["operator"]);
        Assert.Contains($"name == '{MetricNames.IncidentsLevelGe5}'", (string)criterion["query"]!);
    }

    [Fact]
    public void Slack_failure_rule_fires_on_any_failure_in_5_minutes()
    {
        var criterion = Criterion(infra.Custom(), "slack-failures");
        Assert.Equal(0L, criterion["threshold"]);
        Assert.Equal("GreaterThan", criterion["operator"]);
        Assert.Equal("Total", criterion["timeAggregation"]);
        Assert.Equal("PT5M", Evaluated(infra.Custom(), "slack-failures")["windowSize"]);
        var query = (string)criterion["query"]!;
        Assert.Contains($"name == '{MetricNames.SlackSendFailures}'", query);
        Assert.Contains("Failures = sum(valueSum)", query);
    }

    [Fact]
    public void Tick_lag_rule_also_fires_when_no_tick_runs_at_all()
    {
        foreach (var tick in FunctionAppSettingsTests.AllowedTickValues(infra.Template))
        {
            var root = infra.Custom(new Dictionary<string, object?> { ["escTickMs"] = tick });
            var criterion = Criterion(root, "tick-lag");
            var query = (string)criterion["query"]!;
            var threshold = (long)criterion["threshold"]!;
            var window = Duration(Evaluated(root, "tick-lag")["windowSize"]);

            Assert.Equal("GreaterThan", criterion["operator"]);
            Assert.Equal("TickLagMs", criterion["metricMeasureColumn"]);
            // Both the reported lag and the completed ticks are read...
            Assert.Contains($"name in ('{MetricNames.TickLagMs}', '{MetricNames.EscalationTickMs}')", query);
            Assert.Contains($"CompletedTicks = countif(name == '{MetricNames.EscalationTickMs}')", query);
            // ...in one summarize without "by", which returns a row even when the window has no metrics at all...
            var summarize = Assert.Single(query.Split('\n'), l => l.TrimStart().StartsWith("| summarize", StringComparison.Ordinal));
            Assert.DoesNotContain(" by ", summarize);
            // ...and with no completed tick the measured lag is the whole window plus one, above the threshold.
            var windowMs = long.Parse(WindowLet().Match(query).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal((long)window.TotalMilliseconds, windowMs);
            Assert.Contains("TickLagMs = iff(CompletedTicks == 0, todouble(windowMs + 1), coalesce(ReportedLagMs, 0.0))", query);
            Assert.True(windowMs + 1 > threshold, $"escTickMs={tick}: with no tick the query reports {windowMs + 1} ms, not above the {threshold} ms threshold.");
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------

    private static Dictionary<string, object?> Evaluated(ArmScope root, string suffix)
    {
        var (scope, rule) = InfraResources.AlertRule(root, suffix);
        return Obj(scope.Evaluate(rule["properties"]));
    }

    private static Dictionary<string, object?> Criterion(ArmScope root, string suffix)
    {
        var (scope, rule) = InfraResources.AlertRule(root, suffix);
        return InfraResources.Criterion(scope, rule);
    }

    private static long Threshold(ArmScope root, string suffix) =>
        Criterion(root, suffix)["threshold"] as long? ?? throw new Xunit.Sdk.XunitException($"{suffix}: threshold is not a number.");

    private static string Query(ArmScope root, string suffix) => (string)Criterion(root, suffix)["query"]!;

    private static TimeSpan Duration(object? iso) => XmlConvert.ToTimeSpan(iso as string ?? throw new Xunit.Sdk.XunitException($"Not a duration: {ArmScope.Render(iso)}"));

    private static Dictionary<string, object?> Obj(object? value) =>
        value as Dictionary<string, object?> ?? throw new Xunit.Sdk.XunitException($"Expected an object, got {ArmScope.Render(value)}");

    [GeneratedRegex(@"name\s*(==|in)\s*(\([^)]*\)|'[^']*')")]
    private static partial Regex MetricNameInQuery();

    [GeneratedRegex(@"'([^']*)'")]
    private static partial Regex QuotedName();

    [GeneratedRegex(@"let windowMs = (\d+);")]
    private static partial Regex WindowLet();
}
