using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Testing;
using EscalationFunctions.Testing.FunctionsHost;
using EscalationFunctions.Tests.Support;

namespace EscalationFunctions.Tests.Functions;

/// <summary>The compiled Functions worker says as it starts what the plain server says: each configuration warning, and its mode in one line.</summary>
[Lane(TestLane.Process)]
public class FunctionsStartupLogTests
{
    [Fact]
    public async Task The_worker_logs_its_configuration_warnings_and_its_mode_at_start()
    {
        await using var db = await TestDatabase.CreateAsync(nameof(FunctionsStartupLogTests));
        await using var slack = await SlackStandIn.StartAsync();
        await using var host = await FunctionsHostStandIn.StartAsync(FunctionsWorkerFixture.Settings(db, slack, new()
        {
            // A bad per-route webhook: the route falls back to the global one, with a warning.
            [SettingNames.SlackRouteWebhooks] = """{"payments":"not a url"}""",
            [SettingNames.DryRun] = "true",
        }));

        // The worker logs to the host over its gRPC stream (RpcLog), as on Azure, where these lines reach Application Insights.
        await Eventually.TrueAsync(() => Task.FromResult(host.Logs.Any(l => l.Message.Contains("EscalationFunctions worker started", StringComparison.Ordinal))),
            TimeSpan.FromSeconds(30), "the start-up line");
        var warning = Assert.Single(host.Logs, l => l.Message.StartsWith("Configuration: ", StringComparison.Ordinal));
        Assert.Equal("Warning", warning.Level);
        Assert.Contains("payments", warning.Message);
        var started = Assert.Single(host.Logs, l => l.Message.Contains("EscalationFunctions worker started", StringComparison.Ordinal));
        Assert.Equal("Information", started.Level);
        Assert.Contains("tick every 300000 ms; mode: DRY RUN (ESC_DRY_RUN=true)", started.Message);
    }
}
