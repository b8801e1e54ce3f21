using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Engine.Slack.Delivery;
using EscalationFunctions.Engine.Tick;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace EscalationFunctions.Tests.Slack.App;

/// <summary>Reference §10.3 on the plain server reading its secrets from (a mocked) Key Vault: the bot token rotates without a restart.</summary>
[Lane(TestLane.Database)]
public class SlackAppVaultTests(DatabaseFixture fixture) : SlackAppTest(fixture)
{
    [Fact]
    public async Task The_bot_token_is_read_from_the_vault_on_use_so_a_rotated_one_posts_after_the_cache_ttl_and_no_webhook_is_needed()
    {
        const string oldToken = "xoxb-old-0123456789";
        const string newToken = "xoxb-new-9876543210";
        var vault = new FakeVault(new()
        {
            ["ops-hmac-secret"] = OpsCall.Secret,
            ["postgres-connection-string"] = Db.ConnectionString,
            ["slack-bot-token"] = oldToken,
        });
        var env = AppSettings(new() { ["later"] = "C0LATER" }, new()
        {
            [SettingNames.KeyVaultUri] = FakeVault.Uri.AbsoluteUri,
            [SettingNames.KeyVaultCacheTtlSeconds] = "60",
        });
        env.Remove(SettingNames.SlackBotToken);
        env.Remove(SettingNames.PostgresConnectionString);
        Api.AcceptedTokens = new HashSet<string> { oldToken };
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await InProcessServer.StartAsync(env, time, vault.Client);
        var ticker = server.Services.GetRequiredService<EscalationTicker>();
        var dispatcher = server.Services.GetRequiredService<NotificationDispatcher>();

        await Incidents.InsertAsync(Db, "BEFORE", "first", "warning", TimeSpan.FromMinutes(16));
        await ticker.TickAsync();
        await DeliveredAsync(dispatcher, GlobalChannel);
        Assert.Equal(oldToken, Assert.Single(Api.CallsTo(GlobalChannel), c => c.Ok).Token);

        // Rotated in Slack and in the vault: the old token is refused from now on.
        Api.AcceptedTokens = new HashSet<string> { newToken };
        vault.Set("slack-bot-token", newToken);
        time.Advance(TimeSpan.FromSeconds(61));
        await Incidents.InsertAsync(Db, "AFTER", "later", "warning", TimeSpan.FromMinutes(16));
        await ticker.TickAsync();
        await DeliveredAsync(dispatcher, "C0LATER");

        var after = Assert.Single(Api.CallsTo("C0LATER"));
        Assert.True(after.Ok, after.Error);
        Assert.Equal(newToken, after.Token);
        Assert.DoesNotContain(server.Logs.Lines, l => l.Contains(oldToken) || l.Contains(newToken));
    }

    // The server's own background sender may hold the channel's lane when the test drains: the drain
    // then leaves the message to it and returns before its post is answered. Wait for the answer.
    private async Task DeliveredAsync(NotificationDispatcher dispatcher, string channel)
    {
        await dispatcher.DrainAsync(CancellationToken.None);
        await Eventually.TrueAsync(() => Task.FromResult(Api.CallsTo(channel).Count > 0), TimeSpan.FromSeconds(30), $"a call to {channel}");
    }
}
