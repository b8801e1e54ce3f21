using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using EscalationFunctions.Engine.Telemetry;

namespace EscalationFunctions.Tests.Infra;

/// <summary>The Azure Monitor workbook charts every metric of spec §7.</summary>
[Collection(InfraCollection.Name)]
public partial class WorkbookTests(CompiledInfra infra)
{
    [Fact]
    public void The_workbook_charts_every_metric_from_Application_Insights()
    {
        var root = infra.Custom();
        var (scope, workbook) = InfraResources.Single(root, "Microsoft.Insights/workbooks");
        var properties = (Dictionary<string, object?>)scope.Evaluate(workbook["properties"])!;
        var (aiScope, appInsights) = InfraResources.Single(root, "Microsoft.Insights/components");
        var appInsightsId = $"resourceId('Microsoft.Insights/components', {aiScope.NameOf(appInsights)})";
        Assert.Equal(appInsightsId, ((Symbolic)properties["sourceId"]!).Text);

        var data = JsonNode.Parse(Assert.IsType<string>(properties["serializedData"]))!;
        Assert.Equal("Notebook/1.0", data["version"]?.GetValue<string>());
        Assert.Equal($"⟨{appInsightsId}⟩", data["fallbackResourceIds"]?[0]?.GetValue<string>());

        var queries = data["items"]!.AsArray()
            .Where(i => i!["type"]!.GetValue<int>() == 3)
            .Select(i => i!["content"]!)
            .ToList();
        var charted = new List<string>();
        foreach (var content in queries)
        {
            Assert.Equal("microsoft.insights/components", content["resourceType"]?.GetValue<string>());
            var query = content["query"]!.GetValue<string>();
            var name = MetricFilter().Match(query);
            Assert.True(name.Success, $"A workbook query that filters no metric: {query}");
            charted.Add(name.Groups[1].Value);
        }
        Assert.Equal(MetricNames.All.Order(), charted.Order());
    }

    [GeneratedRegex(@"customMetrics\s*\|\s*where name == '([^']+)'")]
    private static partial Regex MetricFilter();
}
