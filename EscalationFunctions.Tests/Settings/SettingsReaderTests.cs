using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Hosting;

namespace EscalationFunctions.Tests.Settings;

[Lane(TestLane.Unit)]
public class SettingsReaderTests
{
    private static readonly Dictionary<string, string> Minimal = new()
    {
        [SettingNames.PostgresConnectionString] = "Host=127.0.0.1;Database=esc;Username=esc;Password=pg-pass-never-shown",
        [SettingNames.AppBaseUrl] = "https://ops.example.com/",
        [SettingNames.SlackWebhookUrl] = "https://hooks.slack.com/services/T0/B0/globaltokenvalue",
    };

    // As the hosts read them: the engine's settings with the hosts' own (OPS_FUNCTION_KEY, WEBSITE_AUTH_ENABLED).
    private static EscalationSettings Read(Dictionary<string, string> env, out IReadOnlyList<string> warnings) =>
        HostSettingsReader.Read(n => env.TryGetValue(n, out var v) ? v : null, out warnings).Engine;

    private static Dictionary<string, string> With(params (string Name, string Value)[] changes)
    {
        var env = new Dictionary<string, string>(Minimal);
        foreach (var (name, value) in changes)
        {
            env[name] = value;
        }
        return env;
    }

    [Fact]
    public void Defaults_are_the_specs()
    {
        var s = Read(Minimal, out var warnings);

        Assert.Empty(warnings);
        Assert.True(s.Gates.WorkerEnabled);
        Assert.True(s.Gates.V1Enabled);
        Assert.Equal(100, s.Gates.CanaryPercent);
        Assert.False(s.Gates.DryRun);
        Assert.Null(s.Gates.Pause);
        Assert.Equal(new SlaSettings(5, 15, 30, 7), s.Sla);
        Assert.Equal(TimeSpan.FromMilliseconds(60_000), s.Tick.Period);
        Assert.Equal("ops_admin", s.Ops.AdminRole);
        Assert.Equal(10, s.Ops.RateLimitPerMinute);
        Assert.Empty(s.Ops.HmacSecrets);
        Assert.False(s.Ops.TrustPrincipalHeader);
        Assert.Empty(s.Slack.Webhooks.Routes);
        Assert.Equal(SlackDeliveryMode.Webhook, s.Slack.Delivery);
        Assert.Null(s.Connections.KeyVaultUri);
        Assert.Null(s.Connections.ApplicationInsightsConnectionString);
        Assert.Equal(5, s.Slack.DigestThreshold);
        Assert.Equal(40, s.Slack.DigestMax); // reference §5.2 (20 in 1.1)
        Assert.True(s.Slack.LevelMentions.IsEmpty);
    }

    [Fact]
    public void Every_spec_setting_is_read()
    {
        var s = Read(With(
            (SettingNames.WorkerEnabled, "false"),
            (SettingNames.V1, "FALSE"),
            (SettingNames.CanaryPercent, "10"),
            (SettingNames.DryRun, "True"),
            (SettingNames.MaxLevel, "5"),
            (SettingNames.SnoozeMinutes, "0"),
            (SettingNames.PauseCron, "0 2 * * SAT"),
            (SettingNames.PauseDurationMinutes, "90"),
            (SettingNames.PauseTimeZone, "Europe/Berlin"),
            (SettingNames.TickMs, "30000"),
            (SettingNames.CriticalAckMinutes, "3"),
            (SettingNames.WarningAckMinutes, "20"),
            (SettingNames.OpsHmacSecret, "new-secret-0123456789abcdef0123456789,old-secret-0123456789abcdef0123456789"),
            (SettingNames.OpsAdminRole, "escalation.admin"),
            (SettingNames.OpsRateLimitPerMinute, "20"),
            (SettingNames.SlackRouteWebhooks, """{"payments":"https://hooks.slack.com/services/T0/B1/paymentstoken"}"""),
            (SettingNames.KeyVaultUri, "https://esc-kv.vault.azure.net/"),
            (SettingNames.SlackDigestThreshold, "1000000"),
            (SettingNames.SlackDigestMax, "20"), // 1.1's default, now a choice
            (SettingNames.SlackLevelMentions, """{"*": {"3": "<!here>"}, "payments": {"5": "<!subteam^SAZ94GDB8>"}}"""),
            (SettingNames.ApplicationInsightsConnectionString, "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://example.test/")),
            out _);

        Assert.Equal(new GateSettings(false, s.Gates.Pause, false, 10, true), s.Gates);
        Assert.Equal("0 2 * * SAT", s.Gates.Pause!.CronText);
        Assert.Equal(TimeSpan.FromMinutes(90), s.Gates.Pause.Duration);
        Assert.Equal("Europe/Berlin", s.Gates.Pause.TimeZone.Id);
        Assert.Equal(new SlaSettings(3, 20, 0, 5), s.Sla);
        Assert.Equal(TimeSpan.FromSeconds(30), s.Tick.Period);
        Assert.Equal(2, s.Ops.HmacSecrets.Count);
        Assert.StartsWith("new-", s.Ops.HmacSecrets[0]);
        Assert.Equal("escalation.admin", s.Ops.AdminRole);
        Assert.Equal(20, s.Ops.RateLimitPerMinute);
        Assert.Equal("route 'payments'", s.Slack.Webhooks.For("payments").Label);
        Assert.Equal("global", s.Slack.Webhooks.For("search").Label);
        Assert.Equal(new Uri("https://esc-kv.vault.azure.net/"), s.Connections.KeyVaultUri);
        Assert.NotNull(s.Connections.ApplicationInsightsConnectionString);
        Assert.Equal(1_000_000, s.Slack.DigestThreshold);
        Assert.Equal(20, s.Slack.DigestMax);
        Assert.Equal("<!here>", s.Slack.LevelMentions.For("search", 3));
        Assert.Equal("<!subteam^SAZ94GDB8>", s.Slack.LevelMentions.For("payments", 5));
    }

    [Fact]
    public void Mention_levels_are_checked_against_MAX_ESC_LEVEL()
    {
        const string Mentions = """{"*": {"9": "<!channel>"}}""";

        Assert.Equal("<!channel>", Read(With((SettingNames.MaxLevel, "9"), (SettingNames.SlackLevelMentions, Mentions)), out _).Slack.LevelMentions.For("x", 9));
        var e = Assert.Throws<SettingsException>(() => Read(With((SettingNames.SlackLevelMentions, Mentions)), out _));
        Assert.Contains("expected levels 1 to 7 (MAX_ESC_LEVEL)", Assert.Single(e.Problems));
    }

    [Fact]
    public void A_bad_mention_setting_spanning_lines_is_still_one_line()
    {
        var e = Assert.Throws<SettingsException>(() => Read(With((SettingNames.SlackLevelMentions, "{\n  \"pay\rments\": {\n    \"2\": \"@here\"\n  }\n}")), out _));

        var line = Assert.Single(e.Problems);
        Assert.StartsWith(SettingNames.SlackLevelMentions, line);
        Assert.Contains("@here", line);
        Assert.DoesNotContain(line, char.IsControl);
    }

    [Theory]
    [InlineData(SettingNames.WorkerEnabled, "maybe")]
    [InlineData(SettingNames.V1, "yes")]
    [InlineData(SettingNames.CanaryPercent, "101")]
    [InlineData(SettingNames.CanaryPercent, "ten")]
    [InlineData(SettingNames.DryRun, "1")]
    [InlineData(SettingNames.MaxLevel, "0")]
    [InlineData(SettingNames.SnoozeMinutes, "-5")]
    [InlineData(SettingNames.PauseCron, "0 2 * *")]
    [InlineData(SettingNames.PauseCron, "0 0 2 * * *")]
    [InlineData(SettingNames.PauseDurationMinutes, "0")]
    [InlineData(SettingNames.PauseTimeZone, "Mars/Olympus_Mons")]
    [InlineData(SettingNames.TickMs, "fast")]
    [InlineData(SettingNames.CriticalAckMinutes, "0")]
    [InlineData(SettingNames.WarningAckMinutes, "1.5")]
    [InlineData(SettingNames.OpsAdminRole, "ops admin")]
    [InlineData(SettingNames.OpsRateLimitPerMinute, "0")]
    [InlineData(SettingNames.AppBaseUrl, "http://ops.example.com")]
    [InlineData(SettingNames.AppBaseUrl, "/relative/path")]
    [InlineData(SettingNames.KeyVaultUri, "not a url")]
    [InlineData(SettingNames.TickBatchSize, "0")]
    [InlineData(SettingNames.SlackDelivery, "carrier-pigeon")]
    [InlineData(SettingNames.SlackTimeoutMs, "0")]
    [InlineData(SettingNames.SlackMinIntervalMs, "-1")]
    [InlineData(SettingNames.SlackMaxAttempts, "0")]
    [InlineData(SettingNames.SlackRetryBaseMs, "soon")]
    [InlineData(SettingNames.OpsTrustPrincipalHeader, "sure")]
    [InlineData(SettingNames.WebsiteAuthEnabled, "maybe")]
    [InlineData(SettingNames.SlackDigestThreshold, "0")]
    [InlineData(SettingNames.SlackDigestThreshold, "five")]
    [InlineData(SettingNames.SlackDigestMax, "1")]
    [InlineData(SettingNames.SlackDigestMax, "41")]
    [InlineData(SettingNames.SlackLevelMentions, "{\"*\": {\"3\": \"@here\"}}")]
    [InlineData(SettingNames.SlackLevelMentions, "{\"payments\": {\"8\": \"<!here>\"}}")]
    [InlineData(SettingNames.SlackLevelMentions, "[\"<!here>\"]")]
    [InlineData(SettingNames.SlackResponseUrlHosts, "https://hooks.slack.com")]
    [InlineData(SettingNames.SlackResponseUrlHosts, "hooks.slack.com/actions")]
    public void A_bad_value_is_one_line_naming_the_setting_and_the_value(string name, string value)
    {
        var e = Assert.Throws<SettingsException>(() => Read(With((name, value)), out _));

        var line = Assert.Single(e.Problems);
        Assert.StartsWith(name, line);
        Assert.Contains(value, line);
        Assert.Contains("expected", line);
        Assert.DoesNotContain('\n', line);
    }

    [Theory]
    [InlineData(SettingNames.OpsHmacSecret, "short-hmac-key", "short-hmac-key")]
    [InlineData(SettingNames.OpsHmacSecret, "0123456789abcdef0123456789abcdef-new,", "0123456789abcdef")]
    [InlineData(SettingNames.SlackWebhookUrl, "http://hooks.slack.com/services/T0/B0/plaintexttoken", "plaintexttoken")]
    [InlineData(SettingNames.SlackRouteWebhooks, "{\"payments\": https://hooks.slack.com/services/T0/B1/brokenjsontoken", "brokenjsontoken")]
    [InlineData(SettingNames.PostgresConnectionString, "Host=db;Password=pg-secret-pass;Bogus Key=1", "pg-secret-pass")]
    [InlineData(SettingNames.ApplicationInsightsConnectionString, "ikey-secret-value-without-key-name", "ikey-secret-value")]
    [InlineData(SettingNames.OpsFunctionKey, "tiny-fn-key", "tiny-fn-key")]
    [InlineData(SettingNames.SlackSigningSecret, "short-signing", "short-signing")]
    [InlineData(SettingNames.SlackSigningSecret, "8f742231b10e8888abcd99yyyzzz85a5,0123456789abcdef0123456789abcdef,8f742231b10e8888abcd99yyyzzz85a6", "8f742231b10e")]
    public void A_bad_secret_is_named_but_its_value_is_masked(string name, string value, string secretPart)
    {
        var e = Assert.Throws<SettingsException>(() => Read(With((name, value)), out _));

        var line = Assert.Single(e.Problems);
        Assert.StartsWith(name, line);
        Assert.Contains("expected", line);
        Assert.DoesNotContain(secretPart, line);
    }

    [Fact]
    public void Missing_required_settings_are_each_reported()
    {
        var e = Assert.Throws<SettingsException>(() => Read([], out _));

        Assert.Contains(e.Problems, p => p.StartsWith(SettingNames.PostgresConnectionString + " is not set"));
        Assert.Contains(e.Problems, p => p.StartsWith(SettingNames.AppBaseUrl + " is not set"));
        Assert.Contains(e.Problems, p => p.StartsWith(SettingNames.SlackWebhookUrl + " is not set"));
    }

    [Fact]
    public void A_bad_route_webhook_is_a_warning_and_the_route_falls_back_to_the_global_webhook()
    {
        var s = Read(With((SettingNames.SlackRouteWebhooks,
            """{"payments":"http://hooks.slack.com/services/T0/B1/leakytoken","search":"https://hooks.slack.com/services/T0/B2/searchtoken"}""")),
            out var warnings);

        var warning = Assert.Single(warnings);
        Assert.Contains("'payments'", warning);
        Assert.Contains("falls back", warning);
        Assert.DoesNotContain("leakytoken", warning);
        Assert.Equal("global", s.Slack.Webhooks.For("payments").Label);
        Assert.Equal(new Uri("https://hooks.slack.com/services/T0/B0/globaltokenvalue"), s.Slack.Webhooks.For("payments").Url);
        Assert.Equal("route 'search'", s.Slack.Webhooks.For("search").Label);
    }

    [Fact]
    public void Http_is_accepted_for_loopback_hosts_only()
    {
        var s = Read(With((SettingNames.AppBaseUrl, "http://localhost:7071"), (SettingNames.SlackWebhookUrl, "http://127.0.0.1:9000/hooks/x")), out _);

        Assert.Equal("http://localhost:7071/", s.Slack.AppBaseUrl.AbsoluteUri);
        Assert.Throws<SettingsException>(() => Read(With((SettingNames.SlackWebhookUrl, "http://10.0.0.5/hooks/x")), out _));
    }

    [Fact]
    public void App_Service_authentication_or_the_local_flag_makes_the_principal_header_trusted()
    {
        Assert.True(Read(With((SettingNames.WebsiteAuthEnabled, "True")), out _).Ops.TrustPrincipalHeader);
        Assert.True(Read(With((SettingNames.OpsTrustPrincipalHeader, "true")), out _).Ops.TrustPrincipalHeader);
        Assert.False(Read(With((SettingNames.WebsiteAuthEnabled, "False")), out _).Ops.TrustPrincipalHeader);
    }

    [Fact]
    public void Console_delivery_needs_no_webhook()
    {
        var env = With((SettingNames.SlackDelivery, "console"));
        env.Remove(SettingNames.SlackWebhookUrl);

        Assert.Equal(SlackDeliveryMode.Console, Read(env, out _).Slack.Delivery);
    }

    [Fact]
    public void Slack_signing_secrets_and_response_url_hosts_are_read_with_their_defaults()
    {
        var defaults = Read(With(), out _);
        Assert.Empty(defaults.Slack.SigningSecrets);
        Assert.Equal(["hooks.slack.com"], defaults.Slack.ResponseUrlHosts.Hosts);

        var set = Read(With((SettingNames.SlackSigningSecret, " 8f742231b10e8888abcd99yyyzzz85a5 , 0123456789abcdef0123456789abcdef "),
            (SettingNames.SlackResponseUrlHosts, "hooks.slack.com,127.0.0.1")), out _);
        Assert.Equal(["8f742231b10e8888abcd99yyyzzz85a5", "0123456789abcdef0123456789abcdef"], set.Slack.SigningSecrets);
        Assert.Equal(["hooks.slack.com", "127.0.0.1"], set.Slack.ResponseUrlHosts.Hosts);
    }
}
