using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Testing;

namespace EscalationFunctions.Tests.Settings;

/// <summary>Boot validation on the real server binary: a bad setting stops the process with one clear line.</summary>
[Lane(TestLane.Process)]
public class BadSettingsExitTests
{
    private static readonly Dictionary<string, string> Valid = new()
    {
        // Validation happens before any connection is made, so no database is needed here.
        [SettingNames.PostgresConnectionString] = "Host=127.0.0.1;Port=1;Database=none;Username=none;Password=never-printed-pw",
        [SettingNames.AppBaseUrl] = "https://ops.example.com",
        [SettingNames.SlackWebhookUrl] = "https://hooks.slack.com/services/T0/B0/globaltokenvalue",
    };

    public static TheoryData<string, string> BadValues => new()
    {
        { SettingNames.WorkerEnabled, "maybe" },
        { SettingNames.V1, "yes" },
        { SettingNames.CanaryPercent, "150" },
        { SettingNames.DryRun, "on" },
        { SettingNames.MaxLevel, "0" },
        { SettingNames.SnoozeMinutes, "-1" },
        { SettingNames.PauseCron, "every night" },
        { SettingNames.PauseDurationMinutes, "0" },
        { SettingNames.PauseTimeZone, "Atlantis/Capital" },
        { SettingNames.TickMs, "1m" },
        { SettingNames.CriticalAckMinutes, "zero" },
        { SettingNames.WarningAckMinutes, "0" },
        { SettingNames.OpsHmacSecret, "too-short" },
        { SettingNames.OpsAdminRole, "ops admin" },
        { SettingNames.OpsRateLimitPerMinute, "-3" },
        { SettingNames.AppBaseUrl, "ftp://ops.example.com" },
        { SettingNames.SlackWebhookUrl, "http://hooks.slack.com/services/T0/B0/plaintoken" },
        { SettingNames.SlackRouteWebhooks, "[\"not an object\"]" },
        { SettingNames.PostgresConnectionString, "this is not a connection string" },
        { SettingNames.KeyVaultUri, "vault" },
        { SettingNames.ApplicationInsightsConnectionString, "garbage" },
        { SettingNames.SlackDelivery, "fax" },
        { SettingNames.TickBatchSize, "many" },
        { SettingNames.SlackDigestThreshold, "0" },
        { SettingNames.SlackDigestMax, "100" },
        { SettingNames.SlackLevelMentions, "{\"payments\": {\"2\": \"@oncall\"}}" },
    };

    [Theory]
    [MemberData(nameof(BadValues))]
    public async Task The_server_exits_non_zero_with_a_line_naming_the_setting(string name, string value)
    {
        var env = new Dictionary<string, string>(Valid) { [name] = value };

        var (exit, _, stderr) = await ServerProcess.RunToExitAsync(env, ["serve"]);

        Assert.Equal(2, exit);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"Configuration error: {name}", line);
        Assert.Contains("expected", line);
        if (SettingNames.Secrets.Contains(name))
        {
            Assert.DoesNotContain(value, line);
        }
        else
        {
            Assert.Contains(value, line);
        }
        Assert.DoesNotContain("never-printed-pw", stderr);
        Assert.DoesNotContain("globaltokenvalue", stderr);
    }

    [Fact]
    public async Task An_unknown_command_is_a_usage_error()
    {
        var (exit, _, stderr) = await ServerProcess.RunToExitAsync(Valid, ["frobnicate"]);

        Assert.Equal(2, exit);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("Unknown command 'frobnicate'", line);
        Assert.Contains("--help", line);
    }
}
