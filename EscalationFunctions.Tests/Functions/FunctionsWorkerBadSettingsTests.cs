using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Testing;
using EscalationFunctions.Testing.FunctionsHost;

namespace EscalationFunctions.Tests.Functions;

/// <summary>The compiled worker validates every setting before it connects to the host: a bad one stops it with exit code 2 and one line.</summary>
[Lane(TestLane.Process)]
public class FunctionsWorkerBadSettingsTests
{
    private const string Password = "never-printed-pw";

    private static readonly Dictionary<string, string> Valid = new()
    {
        // Validation happens before any connection is made, so no database is needed here.
        [SettingNames.PostgresConnectionString] = $"Host=127.0.0.1;Port=1;Database=none;Username=none;Password={Password}",
        [SettingNames.AppBaseUrl] = "https://ops.example.com",
        [SettingNames.SlackWebhookUrl] = "https://hooks.slack.com/services/T0/B0/globaltokenvalue",
        [SettingNames.OpsHmacSecret] = "a-valid-ops-hmac-secret-0123456789abcdef",
        [SettingNames.TickSchedule] = "0 */1 * * * *",
    };

    [Theory]
    // The Functions host's own requirement: the timer needs a schedule that agrees with ESC_TICK_MS.
    [InlineData(SettingNames.TickSchedule, "0 */5 * * * *")]
    // A secret: named, its value never printed.
    [InlineData(SettingNames.OpsHmacSecret, "too-short-secret")]
    public async Task The_worker_exits_2_with_one_line_naming_the_setting_before_it_opens_the_stream(string name, string value)
    {
        var settings = new Dictionary<string, string>(Valid) { [name] = value };

        var exited = await Assert.ThrowsAsync<WorkerExitedException>(() => FunctionsHostStandIn.StartAsync(settings));

        Assert.Equal(2, exited.ExitCode);
        var line = Assert.Single(exited.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"Configuration error: {name}", line);
        Assert.Contains("expected", line);
        Assert.Equal(SettingNames.Secrets.Contains(name), !line.Contains(value));
        Assert.DoesNotContain(Password, exited.Output);
        Assert.DoesNotContain("globaltokenvalue", exited.Output);
    }

    [Fact]
    public async Task An_unreachable_database_stops_the_worker_with_one_line_naming_it_and_no_stack_trace()
    {
        var port = ServerProcess.FreePort(); // nothing listens there
        var settings = new Dictionary<string, string>(Valid)
        {
            [SettingNames.PostgresConnectionString] = $"Host=127.0.0.1;Port={port};Database=escalation;Username=worker;Password={Password};Timeout=5",
        };

        var exited = await Assert.ThrowsAsync<WorkerExitedException>(() => FunctionsHostStandIn.StartAsync(settings));

        Assert.Equal(1, exited.ExitCode);
        var line = Assert.Single(exited.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("Start-up failed:"));
        Assert.StartsWith($"Start-up failed: PostgreSQL at 127.0.0.1:{port} (database 'escalation', user 'worker'", line);
        Assert.DoesNotContain("   at ", exited.Output);
        Assert.DoesNotContain(Password, exited.Output);
    }
}
