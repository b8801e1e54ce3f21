using EscalationFunctions.Engine.Settings;

namespace EscalationFunctions.Tests.Settings;

/// <summary>Reference §2 and §10.1: app mode's settings, checked at start with one line per problem.</summary>
[Lane(TestLane.Unit)]
public class SlackAppSettingsTests
{
    private const string Token = "xoxb-1234-5678-secretpart";

    private static readonly Dictionary<string, string> App = new()
    {
        [SettingNames.PostgresConnectionString] = "Host=127.0.0.1;Database=esc;Username=esc;Password=pg-pass-never-shown",
        [SettingNames.AppBaseUrl] = "https://ops.example.com/",
        [SettingNames.SlackBotToken] = Token,
        [SettingNames.SlackChannel] = "C0GLOBAL",
    };

    private static Dictionary<string, string> With(params (string Name, string? Value)[] changes)
    {
        var env = new Dictionary<string, string>(App);
        foreach (var (name, value) in changes)
        {
            if (value is null)
            {
                env.Remove(name);
            }
            else
            {
                env[name] = value;
            }
        }
        return env;
    }

    private static EscalationSettings Read(Dictionary<string, string> env, out IReadOnlyList<string> warnings) =>
        SettingsReader.Read(n => env.TryGetValue(n, out var v) ? v : null, out warnings);

    private static IReadOnlyList<string> Problems(Dictionary<string, string> env) =>
        Assert.Throws<SettingsException>(() => Read(env, out _)).Problems;

    [Fact]
    public void A_token_turns_app_mode_on_with_slacks_api_and_the_channels_set_and_needs_no_webhook()
    {
        var settings = Read(With((SettingNames.SlackRouteChannels, """{"payments":"C0PAY","legacy":"G0OLDPRIV"}""")), out var warnings);

        Assert.Empty(warnings);
        var app = Assert.IsType<SlackAppSettings>(settings.Slack.App);
        Assert.False(app.Rehearsal);
        Assert.Equal(new Uri("https://slack.com/api"), app.ApiBaseUrl);
        Assert.Equal("C0PAY", app.Channels.For("payments"));
        Assert.Equal("G0OLDPRIV", app.Channels.For("legacy"));
        Assert.Equal("C0GLOBAL", app.Channels.For("anything else"));
        Assert.Contains("Slack app mode: posted to channels through slack.com", WorkerMode.Describe(settings, DateTimeOffset.UtcNow));
    }

    [Fact]
    public void Without_a_token_webhook_mode_is_as_before()
    {
        var settings = Read(With((SettingNames.SlackBotToken, null), (SettingNames.SlackWebhookUrl, "https://hooks.slack.com/services/T0/B0/x")), out _);

        Assert.Null(settings.Slack.App);
        Assert.Contains("Slack posted to webhooks", WorkerMode.Describe(settings, DateTimeOffset.UtcNow));
    }

    [Fact]
    public void App_mode_with_no_channel_at_all_stops_start_up_with_one_line()
    {
        var line = Assert.Single(Problems(With((SettingNames.SlackChannel, null))));
        Assert.StartsWith($"{SettingNames.SlackChannel} is not set: Slack app mode", line);
    }

    [Fact]
    public void Routes_named_elsewhere_without_a_channel_and_no_global_one_are_named()
    {
        var line = Assert.Single(Problems(With(
            (SettingNames.SlackChannel, null),
            (SettingNames.SlackRouteChannels, """{"payments":"C0PAY"}"""),
            (SettingNames.SlackRouteWebhooks, """{"payments":"https://hooks.slack.com/services/a","search":"https://hooks.slack.com/services/b"}"""))));
        Assert.Contains("'search'", line);
        Assert.DoesNotContain("'payments'", line);
    }

    [Theory]
    [InlineData(SettingNames.SlackChannel, "#payments")]
    [InlineData(SettingNames.SlackChannel, "c0lower")]
    [InlineData(SettingNames.SlackChannel, "C0 GLOBAL")]
    [InlineData(SettingNames.SlackChannel, "D0DIRECT")]
    [InlineData(SettingNames.SlackRouteChannels, """{"payments":"#payments"}""")]
    [InlineData(SettingNames.SlackRouteChannels, """{"payments":42}""")]
    [InlineData(SettingNames.SlackRouteChannels, """["C0PAY"]""")]
    [InlineData(SettingNames.SlackRouteChannels, "not json")]
    [InlineData(SettingNames.SlackApiBaseUrl, "http://slack.com/api")]
    public void A_bad_channel_setting_is_one_line_naming_it(string setting, string value)
    {
        var line = Assert.Single(Problems(With((setting, value))));
        Assert.StartsWith(setting, line);
        Assert.DoesNotContain('\n', line);
    }

    [Theory]
    [InlineData("xoxp-user-token-1234")]
    [InlineData("secret token with spaces")]
    [InlineData("xoxb-1")]
    public void A_value_that_is_no_bot_token_is_refused_masked(string value)
    {
        var line = Assert.Single(Problems(With((SettingNames.SlackBotToken, value))));
        Assert.StartsWith(SettingNames.SlackBotToken, line);
        Assert.DoesNotContain(value, line);
    }

    [Fact]
    public void Webhook_settings_beside_the_token_are_unused_which_start_up_says_in_one_warning()
    {
        Read(With((SettingNames.SlackWebhookUrl, "https://hooks.slack.com/services/T0/B0/secretpath")), out var warnings);

        var warning = Assert.Single(warnings);
        Assert.Contains($"{SettingNames.SlackWebhookUrl} and {SettingNames.SlackRouteWebhooks} are unused", warning);
        Assert.DoesNotContain("secretpath", warning);
    }

    [Fact]
    public void Empty_channel_settings_as_the_example_file_has_them_leave_console_delivery_as_it_was()
    {
        var settings = Read(With((SettingNames.SlackBotToken, ""), (SettingNames.SlackChannel, ""), (SettingNames.SlackRouteChannels, " { } "),
            (SettingNames.SlackDelivery, "console")), out _);

        Assert.Null(settings.Slack.App);
    }

    [Fact]
    public void Console_delivery_with_a_channel_and_no_token_rehearses_app_mode()
    {
        var settings = Read(With((SettingNames.SlackBotToken, null), (SettingNames.SlackDelivery, "console")), out _);

        Assert.True(settings.Slack.App?.Rehearsal);
        Assert.Contains("Slack app mode rehearsed", WorkerMode.Describe(settings, DateTimeOffset.UtcNow));
    }
}
