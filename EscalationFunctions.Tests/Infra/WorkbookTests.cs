using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using EscalationFunctions.Engine.Telemetry;
using static EscalationFunctions.Tests.Infra.Snapshot;

namespace EscalationFunctions.Tests.Infra;

/// <summary>The Azure Monitor workbook charts every metric of reference §7 and revision 1.1.</summary>
[Lane(TestLane.Infra)]
[Collection(InfraCollection.Name)]
public partial class WorkbookTests(InfraSnapshots infra)
{
    [Fact]
    public void The_workbook_charts_every_metric_from_Application_Insights()
    {
        var snapshot = infra.Custom;
        var workbook = snapshot.Single("Microsoft.Insights/workbooks");
        var appInsightsId = snapshot.IdOf(snapshot.Single("Microsoft.Insights/components"));
        Assert.Equal(appInsightsId, Str(workbook["properties"]!["sourceId"]));

        var data = JsonNode.Parse(Str(workbook["properties"]!["serializedData"]))!;
        Assert.Equal("Notebook/1.0", Str(data["version"]));
        Assert.Equal(appInsightsId, Str(Assert.Single(data["fallbackResourceIds"]!.AsArray())));

        var charted = new List<string>();
        foreach (var content in data["items"]!.AsArray().Where(i => i!["type"]!.GetValue<int>() == 3).Select(i => i!["content"]!))
        {
            Assert.Equal("microsoft.insights/components", Str(content["resourceType"]));
            var query = Str(content["query"]);
            var name = MetricFilter().Match(query);
            Assert.True(name.Success, $"A workbook query that filters no metric: {query}");
            charted.Add(name.Groups[1].Value);
        }
        Assert.Equal(MetricNames.All.Order(), charted.Order());
        Assert.Contains(MetricNames.IncidentsQuarantined, charted);
        Assert.Contains(MetricNames.DeadNotifications, charted);
    }

    [GeneratedRegex(@"customMetrics\s*\|\s*where name == '([^']+)'")]
    private static partial Regex MetricFilter();
}
