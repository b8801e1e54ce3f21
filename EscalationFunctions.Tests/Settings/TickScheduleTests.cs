using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Hosting;

namespace EscalationFunctions.Tests.Settings;

/// <summary>ESC_TICK_SCHEDULE (the Functions timer) must fire every ESC_TICK_MS, which the lag alerts are based on.</summary>
[Lane(TestLane.Unit)]
public class TickScheduleTests
{
    private static HostSettings Read(string? schedule, string tickMs, bool required = false)
    {
        var env = new Dictionary<string, string>
        {
            [SettingNames.PostgresConnectionString] = "Host=127.0.0.1;Database=esc",
            [SettingNames.AppBaseUrl] = "https://ops.example.com",
            [SettingNames.SlackDelivery] = "console",
            [SettingNames.TickMs] = tickMs,
        };
        if (schedule is not null)
        {
            env[SettingNames.TickSchedule] = schedule;
        }
        return HostSettingsReader.Read(n => env.GetValueOrDefault(n), out _, requireTickSchedule: required).Host;
    }

    [Theory]
    [InlineData("0 */1 * * * *", "60000")]
    [InlineData("*/30 * * * * *", "30000")]
    [InlineData("0 */5 * * * *", "300000")]
    [InlineData("0 0 * * * *", "3600000")]
    public void A_schedule_that_fires_every_ESC_TICK_MS_is_accepted(string schedule, string tickMs) =>
        Assert.Equal(schedule, Read(schedule, tickMs, required: true).TickSchedule);

    [Theory]
    [InlineData("0 */5 * * * *", "60000", "fires every 300000 ms")]
    [InlineData("0 0 9,17 * * *", "60000", "does not fire at a steady interval")]
    [InlineData("*/1 * * * *", "60000", "6-field NCRONTAB")]
    [InlineData("every minute", "60000", "6-field NCRONTAB")]
    public void A_schedule_that_disagrees_with_ESC_TICK_MS_or_does_not_parse_is_one_line_naming_it(string schedule, string tickMs, string why)
    {
        var e = Assert.Throws<SettingsException>(() => Read(schedule, tickMs));

        var line = Assert.Single(e.Problems);
        Assert.StartsWith($"{SettingNames.TickSchedule}='{schedule}' is invalid", line);
        Assert.Contains(why, line);
    }

    [Fact]
    public void The_Functions_host_requires_a_schedule_and_the_plain_server_does_not()
    {
        Assert.Null(Read(null, "60000").TickSchedule);
        var e = Assert.Throws<SettingsException>(() => Read(null, "60000", required: true));
        Assert.StartsWith($"{SettingNames.TickSchedule} is not set", Assert.Single(e.Problems));
    }
}
