using System.Text.Json;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Engine.Tick;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Ops;
using EscalationFunctions.Tests.Support;

namespace EscalationFunctions.Tests.Hosting;

/// <summary>What a person reads: the plain server's console, the start banner, the JSON answers.</summary>
[Lane(TestLane.Process)]
public class ReadableOutputTests(DatabaseFixture fixture) : DatabaseTest(fixture)
{
    [Fact]
    public async Task The_console_shows_the_mode_short_Slack_lines_and_no_framework_lines_per_request()
    {
        await Incidents.InsertDueAsync(Db, 1);
        await using var server = await ServerProcess.StartAsync(TestSettings.Environment(Db, overrides: new() { [SettingNames.TickMs] = "300" }));
        await Eventually.TrueAsync(() => Task.FromResult(server.Output.Contains("Slack[3310]", StringComparison.Ordinal)), TimeSpan.FromSeconds(60),
            "the console Slack line");
        using var client = new HttpClient { BaseAddress = server.BaseUrl };
        for (var i = 0; i < 3; i++)
        {
            (await client.GetAsync("/ops/escalation/health")).EnsureSuccessStatusCode();
        }
        await server.StopAsync();

        var lines = server.Output.Split('\n');
        Assert.Contains(lines, l => l.Contains("listening on", StringComparison.Ordinal) &&
                                    l.Contains("mode: escalating, every route, Slack printed to this log", StringComparison.Ordinal));
        var slack = Assert.Single(lines, l => l.Contains("Slack[3310]", StringComparison.Ordinal));
        Assert.Matches(@"info: Slack\[3310\] #default: level 1: Incident 0 \(warning\) https://escalation\.example\.test/incidents/INC-0 dedup_key=[0-9a-f]{64} buttons: \[Open incident\] acknowledge: \./scripts/ops-call\.sh ack 'INC-0'$", slack);
        Assert.DoesNotContain(lines, l => l.Contains("SlackConsoleTransport", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("Microsoft.AspNetCore", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("Microsoft.Hosting.Lifetime", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("Stopping: the tick and the Slack posts in flight finish first", StringComparison.Ordinal)); // SIGTERM is graceful
    }

    [Theory]
    [InlineData(SettingNames.WorkerEnabled, "false", "mode: DISABLED (ESCALATION_WORKER_ENABLED=false)")]
    [InlineData(SettingNames.DryRun, "true", "mode: DRY RUN (ESC_DRY_RUN=true)")]
    [InlineData(SettingNames.CanaryPercent, "25", "mode: escalating, canary 25% of routes")]
    [InlineData(SettingNames.V1, "false", "mode: ESCALATION_V1=false: nothing is escalated")]
    [InlineData(SettingNames.PauseCron, "* * * * *", "mode: PAUSED until ")]
    public void The_banner_mode_names_each_gate_and_its_setting(string setting, string value, string expected)
    {
        var settings = TestSettings.Read(TestSettings.Environment(Db, overrides: new() { [setting] = value, [SettingNames.PauseDurationMinutes] = "5" }));

        Assert.StartsWith(expected, WorkerMode.Describe(settings, DateTimeOffset.UtcNow));
    }

    [Theory]
    [InlineData(SettingNames.WorkerEnabled, "false", "Ticks do nothing")]
    [InlineData(SettingNames.PauseCron, "* * * * *", "Ticks paused until")]
    [InlineData(SettingNames.V1, "false", "Ticks escalate nothing")]
    public async Task A_closed_gate_is_logged_once_not_every_tick(string setting, string value, string line)
    {
        await Incidents.InsertDueAsync(Db, 1);
        await using var engine = InProcessEngine.Create(TestSettings.Environment(Db, overrides: new()
        {
            [setting] = value,
            [SettingNames.PauseDurationMinutes] = "5",
        }));

        for (var i = 0; i < 5; i++)
        {
            Assert.NotEqual(TickOutcome.Ran, (await engine.Ticker.TickAsync()).Outcome);
        }

        Assert.Single(engine.Logs.Lines, l => l.Contains(line, StringComparison.Ordinal));
        Assert.Equal(0L, await Incidents.EventCountAsync(Db));
    }

    [Fact]
    public async Task A_dry_run_with_nothing_due_logs_nothing_per_tick()
    {
        await using var engine = InProcessEngine.Create(TestSettings.Environment(Db, overrides: new() { [SettingNames.DryRun] = "true" }));

        for (var i = 0; i < 3; i++)
        {
            await engine.Ticker.TickAsync();
        }

        Assert.DoesNotContain(engine.Logs.Lines, l => l.Contains("Dry run", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Json_answers_keep_apostrophes_and_stay_valid_json()
    {
        await using var server = await InProcessServer.StartAsync(OpsTestSettings.For(Db));
        using var request = OpsCall.Signed("/ops/escalation/tick", timestamp: 1_000_000_000); // long past: refused, with a sentence

        using var response = await server.Client.SendAsync(request);
        var raw = await response.Content.ReadAsStringAsync();

        Assert.Equal(401, (int)response.StatusCode);
        Assert.Contains("server's time", raw);
        Assert.DoesNotContain(@"\u0027", raw);
        Assert.Contains("server's time", JsonDocument.Parse(raw).RootElement.GetProperty("message").GetString());
    }
}
