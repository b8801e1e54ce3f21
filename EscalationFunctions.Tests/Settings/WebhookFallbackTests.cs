using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Server.Commands;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Support;

namespace EscalationFunctions.Tests.Settings;

/// <summary>
/// A bad per-route webhook (reference §2): with a global webhook the route falls back to it, said once and
/// shown in health and status; without one, the route's own error is the one reported. JSON settings
/// that lost their quotes to a shell say so.
/// </summary>
[Lane(TestLane.Process)]
public class WebhookFallbackTests(DatabaseFixture fixture) : SlackTest(fixture)
{
    private static readonly Dictionary<string, string> Minimal = new()
    {
        [SettingNames.PostgresConnectionString] = "Host=127.0.0.1;Database=esc;Username=esc;Password=pg-pass-never-shown",
        [SettingNames.AppBaseUrl] = "https://ops.example.com/",
    };

    private static IReadOnlyList<string> Problems(Dictionary<string, string> env) =>
        Assert.Throws<SettingsException>(() => SettingsReader.Read(n => env.GetValueOrDefault(n))).Problems;

    [Fact]
    public void Without_a_global_webhook_a_bad_route_webhook_is_reported_as_itself_not_as_a_missing_global_one()
    {
        var line = Assert.Single(Problems(new(Minimal) { [SettingNames.SlackRouteWebhooks] = """{"payments":"not a url"}""" }));

        Assert.StartsWith($"{SettingNames.SlackRouteWebhooks}: the webhook of route 'payments'", line);
        Assert.Contains($"there is no {SettingNames.SlackWebhookUrl} for it to fall back to", line);
    }

    [Fact]
    public void With_a_global_webhook_a_bad_route_falls_back_with_one_warning_and_is_listed()
    {
        var env = new Dictionary<string, string>(Minimal)
        {
            [SettingNames.SlackWebhookUrl] = "https://hooks.slack.com/services/T0/B0/global",
            [SettingNames.SlackRouteWebhooks] = """{"payments":"not a url","search":"https://hooks.slack.com/services/T0/B1/x","billing":"ftp://x"}""",
        };

        var settings = SettingsReader.Read(n => env.GetValueOrDefault(n), out var warnings);

        Assert.Equal(["billing", "payments"], settings.Slack.Webhooks.FallbackRoutes);
        Assert.Equal(2, warnings.Count);
        Assert.All(warnings, w => Assert.Contains($"falls back to {SettingNames.SlackWebhookUrl}", w));
        Assert.Equal(["billing", "payments"], StatusCommand.FallbackRoutes(n => env.GetValueOrDefault(n)));
    }

    [Theory]
    [InlineData(SettingNames.SlackRouteWebhooks, "{payments:https://hooks.slack.com/services/T0/B0/x}")]
    [InlineData(SettingNames.SlackLevelMentions, "{*:{3:<!here>}}")]
    public void A_JSON_setting_whose_quotes_a_shell_removed_says_so_and_how_to_quote_it(string name, string value)
    {
        var env = new Dictionary<string, string>(Minimal) { [SettingNames.SlackWebhookUrl] = "https://hooks.slack.com/services/T0/B0/global", [name] = value };

        var line = Assert.Single(Problems(env));

        Assert.StartsWith(name, line);
        Assert.Contains("It has no double quotes: a shell (.local/settings, an export line) removed them; put the JSON in single quotes", line);
        Assert.Contains($"{name}='{{\"", line);
    }

    [Fact]
    public async Task On_the_server_the_fallback_is_logged_once_health_names_the_route_and_its_page_reaches_the_global_webhook()
    {
        await Incidents.InsertDueAsync(Db, 2, _ => "payments");
        var env = TestSettings.Environment(Db, Slack, new()
        {
            [SettingNames.SlackRouteWebhooks] = """{"payments":"http://example.com/not-loopback-so-not-allowed"}""",
            [SettingNames.TickMs] = "500",
        });
        await using var server = await ServerProcess.StartAsync(env);

        await Eventually.TrueAsync(() => Task.FromResult(Slack.PostsTo("global").Count == 2), TimeSpan.FromSeconds(30), "both pages on the global webhook");
        using var client = new HttpClient { BaseAddress = server.BaseUrl };
        var health = await OpsCall.SendAsync(client, new HttpRequestMessage(HttpMethod.Get, "/ops/escalation/health"));
        await server.StopAsync();

        Assert.Equal(["payments"], health.Json.GetProperty("slackFallbackRoutes").EnumerateArray().Select(r => r.GetString()));
        Assert.Single(server.Output.Split('\n'), l => l.Contains("falls back to SLACK_WEBHOOK_URL"));
    }
}
