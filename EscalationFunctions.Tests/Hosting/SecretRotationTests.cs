using System.Text.Json;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Engine.Slack.Delivery;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Ops;
using EscalationFunctions.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace EscalationFunctions.Tests.Hosting;

/// <summary>A server reading its secrets from (a mocked) Key Vault picks up rotated values without a restart.</summary>
[Lane(TestLane.Database)]
public class SecretRotationTests(DatabaseFixture fixture) : SlackTest(fixture)
{
    private const string OldKey = "rotation-old-hmac-key-0123456789abcdefgh";
    private const string NewKey = "rotation-new-hmac-key-0123456789abcdefgh";

    [Fact]
    public async Task A_rotated_HMAC_key_and_Slack_webhook_are_used_after_the_cache_TTL_without_a_restart()
    {
        var vault = new FakeVault(new()
        {
            ["ops-hmac-secret"] = OldKey,
            ["slack-webhook-url"] = Slack.WebhookUrl("before").AbsoluteUri,
            ["postgres-connection-string"] = Db.ConnectionString,
        });
        var env = OpsTestSettings.For(Db, new()
        {
            [SettingNames.KeyVaultUri] = FakeVault.Uri.AbsoluteUri,
            [SettingNames.KeyVaultCacheTtlSeconds] = "60",
        });
        env.Remove(SettingNames.OpsHmacSecret);
        env.Remove(SettingNames.PostgresConnectionString);
        env.Remove(SettingNames.SlackDelivery);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await InProcessServer.StartAsync(env, time, vault.Client);
        long Now() => time.GetUtcNow().ToUnixTimeSeconds();

        await Incidents.InsertDueAsync(Db, 1, prefix: "FIRST");
        Assert.Equal(200, (await OpsCall.SendAsync(server.Client, OpsCall.Signed("/ops/escalation/tick", secret: OldKey, timestamp: Now()))).Status);
        await server.Services.GetRequiredService<NotificationDispatcher>().DrainAsync(CancellationToken.None);
        Assert.Single(Slack.PostsTo("before"));

        vault.Set("ops-hmac-secret", $"{NewKey},{OldKey}");
        vault.Set("slack-webhook-url", Slack.WebhookUrl("after").AbsoluteUri);
        time.Advance(TimeSpan.FromSeconds(61));

        await Incidents.InsertDueAsync(Db, 1, prefix: "SECOND");
        Assert.Equal(200, (await OpsCall.SendAsync(server.Client, OpsCall.Signed("/ops/escalation/tick", secret: NewKey, timestamp: Now()))).Status);
        Assert.Equal(200, (await OpsCall.SendAsync(server.Client, OpsCall.Signed("/ops/escalation/recalc", secret: OldKey, timestamp: Now()))).Status);
        await server.Services.GetRequiredService<NotificationDispatcher>().DrainAsync(CancellationToken.None);
        Assert.Equal("SECOND-0", JsonDocument.Parse(Assert.Single(Slack.PostsTo("after")).Body).RootElement
            .GetProperty("blocks")[1].GetProperty("fields")[0].GetProperty("text").GetString()!.Split('\n')[1]);

        // The rotation finishes: the old key is dropped from the pair and stops working.
        vault.Set("ops-hmac-secret", NewKey);
        time.Advance(TimeSpan.FromSeconds(61));
        var refused = await OpsCall.SendAsync(server.Client, OpsCall.Signed("/ops/escalation/tick", secret: OldKey, timestamp: Now()));
        Assert.Equal((401, "signature_mismatch"), (refused.Status, refused.Error));
        Assert.Contains(server.Logs.Lines, l => l.Contains("OPS_HMAC_SECRET was rotated"));
    }

    [Fact]
    public async Task A_rotated_value_that_is_not_valid_is_refused_and_the_previous_one_stays_in_use()
    {
        var vault = new FakeVault(new()
        {
            ["ops-hmac-secret"] = OldKey,
            ["slack-webhook-url"] = Slack.WebhookUrl("before").AbsoluteUri,
            ["postgres-connection-string"] = Db.ConnectionString,
        });
        var env = OpsTestSettings.For(Db, new() { [SettingNames.KeyVaultUri] = FakeVault.Uri.AbsoluteUri, [SettingNames.KeyVaultCacheTtlSeconds] = "60" });
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await InProcessServer.StartAsync(env, time, vault.Client);

        vault.Set("ops-hmac-secret", "too-short");
        time.Advance(TimeSpan.FromSeconds(61));
        var answer = await OpsCall.SendAsync(server.Client, OpsCall.Signed("/ops/escalation/recalc", secret: OldKey, timestamp: time.GetUtcNow().ToUnixTimeSeconds()));

        Assert.Equal(200, answer.Status);
        Assert.Contains(server.Logs.Lines, l => l.Contains("OPS_HMAC_SECRET changed to a value that is not valid"));
        Assert.DoesNotContain("too-short", server.Logs.All);
    }
}
