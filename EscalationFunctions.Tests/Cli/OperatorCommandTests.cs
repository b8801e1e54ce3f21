using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Support;

namespace EscalationFunctions.Tests.Cli;

/// <summary>The operator's commands of the server binary: <c>resolve</c>, <c>check</c> and <c>slack-test</c>, run as a user runs them.</summary>
[Lane(TestLane.Process)]
public class OperatorCommandTests(DatabaseFixture fixture) : SlackTest(fixture)
{
    private Dictionary<string, string> DatabaseOnly() => new() { [SettingNames.PostgresConnectionString] = Db.ConnectionString };

    [Fact]
    public async Task Resolve_marks_the_incident_resolved_audits_each_call_and_says_what_happened()
    {
        await Incidents.InsertAsync(Db, "RES-1 'quoted'", "payments", "critical", TimeSpan.FromMinutes(30));

        var first = await ServerProcess.RunToExitAsync(DatabaseOnly(), ["resolve", "RES-1 'quoted'"]);
        var again = await ServerProcess.RunToExitAsync(DatabaseOnly(), ["resolve", "RES-1 'quoted'"]);
        var unknown = await ServerProcess.RunToExitAsync(DatabaseOnly(), ["resolve", "NO-SUCH-1"]);

        Assert.Equal(0, first.ExitCode);
        Assert.StartsWith("Resolved 'RES-1 'quoted'' at ", first.Stdout.Trim());
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("was already resolved", again.Stdout);
        Assert.Equal(1, unknown.ExitCode);
        Assert.Equal("resolve: no incident has the key 'NO-SUCH-1'.", unknown.Stderr.Trim());
        Assert.True(await Db.ScalarAsync<bool>("SELECT resolved_at IS NOT NULL FROM incidents WHERE incident_key = 'RES-1 ''quoted'''"));
        var audit = await Db.QueryAsync("SELECT endpoint, outcome, http_status, details ->> 'incidentKey', caller LIKE 'cli:%' FROM ops_audit ORDER BY id",
            r => (r.GetString(0), r.GetString(1), r.GetInt32(2), r.GetString(3), r.GetBoolean(4)));
        Assert.Equal([("resolve", "ok", 200, "RES-1 'quoted'", true), ("resolve", "already_resolved", 200, "RES-1 'quoted'", true),
            ("resolve", "incident_not_found", 404, "NO-SUCH-1", true)], audit);
    }

    [Fact]
    public async Task Check_validates_the_settings_and_reaches_the_database_and_the_webhooks_host_changing_nothing()
    {
        await Incidents.InsertDueAsync(Db, 2);
        var env = TestSettings.Environment(Db, Slack, new() { [SettingNames.OpsHmacSecret] = OpsCall.Secret });
        var before = await Db.SnapshotAsync();

        var (exit, stdout, stderr) = await ServerProcess.RunToExitAsync(env, ["check"]);

        Assert.True(exit == 0, stdout + stderr);
        Assert.Contains("settings: valid; mode: escalating, every route", stdout);
        Assert.Matches($@"PostgreSQL 127\.0\.0\.1:\d+/{Db.Name}: reachable \(PostgreSQL 15", stdout);
        Assert.Contains($"Slack webhooks' host http://127.0.0.1:{Slack.BaseUrl.Port}: reachable", stdout);
        Assert.DoesNotContain("/hooks/", stdout); // a webhook's path is a secret
        Assert.Equal(before, await Db.SnapshotAsync());
        Assert.Empty(Slack.Posts);
    }

    [Fact]
    public async Task Check_names_what_it_cannot_reach_and_exits_1_and_a_bad_setting_exits_2()
    {
        var closed = ServerProcess.FreePort();
        var env = TestSettings.Environment(Db, overrides: new()
        {
            [SettingNames.SlackWebhookUrl] = $"http://127.0.0.1:{closed}/hooks/global",
            [SettingNames.PostgresConnectionString] = $"Host=127.0.0.1;Port={closed};Database=none;Username=none;Password=never-printed-pw;Timeout=5",
        });
        env.Remove(SettingNames.SlackDelivery);

        var (exit, stdout, _) = await ServerProcess.RunToExitAsync(env, ["check"]);
        var bad = await ServerProcess.RunToExitAsync(new(env) { [SettingNames.CanaryPercent] = "150" }, ["check"]);

        Assert.Equal(1, exit);
        Assert.Contains($"PostgreSQL 127.0.0.1:{closed}/none: NOT reachable", stdout);
        Assert.Contains($"Slack webhooks' host http://127.0.0.1:{closed}: NOT reachable", stdout);
        Assert.DoesNotContain("never-printed-pw", stdout);
        Assert.Equal(2, bad.ExitCode);
        Assert.StartsWith($"Configuration error: {SettingNames.CanaryPercent}", bad.Stderr.Trim());
    }

    [Fact]
    public async Task Slack_test_posts_one_message_to_the_routes_webhook_and_prints_the_answer()
    {
        var env = SettingsWithWebhooks(["payments"]);
        env.Remove(SettingNames.SlackDelivery);
        Slack.Script("global", Reply.Status(404, "no_service"));

        var ok = await ServerProcess.RunToExitAsync(env, ["slack-test", "payments"]);
        var refused = await ServerProcess.RunToExitAsync(env, ["slack-test"]);

        Assert.True(ok.ExitCode == 0, ok.Stdout + ok.Stderr);
        Assert.Contains("slack-test: route payments goes to the route 'payments' webhook; Slack answered: posted", ok.Stdout);
        var post = Assert.Single(Slack.PostsTo("payments"));
        Assert.Contains("slack-test", post.Body);
        Assert.StartsWith("slack-test-", post.DedupHeader);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("Slack answered: refused for good (HTTP 404", refused.Stdout);
        Assert.Equal(0, await Db.ScalarAsync<long>("SELECT count(*) FROM notification_outbox"));
    }

    [Fact]
    public async Task Slack_test_in_app_mode_posts_to_the_routes_channel_with_the_bot_token()
    {
        await using var api = await SlackWebApiStandIn.StartAsync();
        api.AddChannel("C0PAYMENTS");
        var env = TestSettings.Environment(Db, overrides: new()
        {
            [SettingNames.SlackBotToken] = SlackWebApiStandIn.DefaultToken,
            [SettingNames.SlackApiBaseUrl] = api.ApiBaseUrl.AbsoluteUri,
            [SettingNames.SlackChannel] = "C0PAYMENTS",
        });
        env.Remove(SettingNames.SlackDelivery);

        var (exit, stdout, stderr) = await ServerProcess.RunToExitAsync(env, ["slack-test", "payments"]);

        Assert.True(exit == 0, stdout + stderr);
        var message = Assert.Single(api.Messages("C0PAYMENTS"));
        Assert.Contains($"goes to the channel C0PAYMENTS; Slack answered: posted (ts {message.Ts})", stdout);
        Assert.DoesNotContain(SlackWebApiStandIn.DefaultToken, stdout + stderr);
    }
}
