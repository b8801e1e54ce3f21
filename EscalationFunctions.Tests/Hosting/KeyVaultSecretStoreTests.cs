using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Hosting;
using EscalationFunctions.Hosting.Secrets;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace EscalationFunctions.Tests.Hosting;

/// <summary>Secrets from Key Vault, with a mocked SecretClient: names, cache, rotation, outages, start-up errors.</summary>
[Lane(TestLane.Unit)]
public class KeyVaultSecretStoreTests
{
    private const string Hmac = "vault-hmac-key-0123456789abcdef-0123456789";
    private const string Webhook = "https://hooks.slack.com/services/T000/B000/vaultwebhooktoken";
    private const string Postgres = "Host=db.example.com;Database=esc;Username=esc;Password=vault-pg-password";
    private static readonly TimeSpan Ttl = TimeSpan.FromMinutes(5);

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly FakeLogCollector _logs = new();
    private readonly RecordingMetricSink _metrics = new();

    private static FakeVault FullVault() => new(new()
    {
        ["ops-hmac-secret"] = Hmac,
        ["slack-webhook-url"] = Webhook,
        ["slack-route-webhooks"] = """{"payments":"https://hooks.slack.com/services/T000/B001/paymentstoken"}""",
        ["postgres-connection-string"] = Postgres,
    });

    private async Task<KeyVaultSecretStore> StoreAsync(FakeVault vault) => new(
        vault.Client, Ttl, await KeyVaultSecretStore.LoadAsync(vault.Client, FakeVault.Uri, CancellationToken.None),
        _time, _metrics, LoggerFactory.Create(b => b.AddProvider(new FakeLoggerProvider(_logs))).CreateLogger<KeyVaultSecretStore>());

    [Fact]
    public async Task Start_up_reads_each_secret_setting_under_its_documented_name()
    {
        var vault = FullVault();

        var values = await KeyVaultSecretStore.LoadAsync(vault.Client, FakeVault.Uri, CancellationToken.None);

        Assert.Equal(Hmac, values[SettingNames.OpsHmacSecret]);
        Assert.Equal(Webhook, values[SettingNames.SlackWebhookUrl]);
        Assert.Equal(Postgres, values[SettingNames.PostgresConnectionString]);
        Assert.Contains("paymentstoken", values[SettingNames.SlackRouteWebhooks]);
        foreach (var name in new[] { "ops-hmac-secret", "slack-webhook-url", "slack-route-webhooks", "postgres-connection-string" })
        {
            Assert.Equal(1, vault.ReadsOf(name));
        }
    }

    [Fact]
    public async Task Settings_come_from_the_vault_not_the_environment_when_KEY_VAULT_URI_is_set()
    {
        var vault = FullVault();
        var env = new Dictionary<string, string>
        {
            [SettingNames.KeyVaultUri] = FakeVault.Uri.AbsoluteUri,
            [SettingNames.AppBaseUrl] = "https://ops.example.com",
            [SettingNames.SlackWebhookUrl] = "https://hooks.slack.com/services/T9/B9/environmentvalue",
        };

        var startup = await StartupConfiguration.LoadAsync(name => env.GetValueOrDefault(name), vaultClient: _ => vault.Client);

        Assert.Equal(Postgres, startup.Settings.Connections.PostgresConnectionString);
        Assert.Equal(new Uri(Webhook), startup.Settings.Slack.Webhooks.Global);
        Assert.Equal([Hmac], startup.Settings.Ops.HmacSecrets);
        Assert.Same(vault.Client, startup.Vault);
    }

    [Fact]
    public async Task A_missing_secret_at_start_up_is_one_clear_error_naming_it()
    {
        var vault = FullVault();
        vault.Delete("ops-hmac-secret");

        var e = await Assert.ThrowsAsync<SettingsException>(() => KeyVaultSecretStore.LoadAsync(vault.Client, FakeVault.Uri, CancellationToken.None));

        var line = Assert.Single(e.Problems);
        Assert.Contains("'ops-hmac-secret'", line);
        Assert.StartsWith(SettingNames.OpsHmacSecret, line);
        Assert.Contains(FakeVault.Uri.AbsoluteUri, line);
    }

    [Fact]
    public async Task Per_route_webhooks_may_be_absent_from_the_vault()
    {
        var vault = FullVault();
        vault.Delete("slack-route-webhooks");

        var values = await KeyVaultSecretStore.LoadAsync(vault.Client, FakeVault.Uri, CancellationToken.None);

        Assert.Null(values[SettingNames.SlackRouteWebhooks]);
    }

    [Fact]
    public async Task An_unreachable_vault_at_start_up_is_one_clear_error_naming_KEY_VAULT_URI()
    {
        var vault = FullVault();
        vault.Unreachable = true;

        var e = await Assert.ThrowsAsync<SettingsException>(() => KeyVaultSecretStore.LoadAsync(vault.Client, FakeVault.Uri, CancellationToken.None));

        var line = Assert.Single(e.Problems);
        Assert.StartsWith(SettingNames.KeyVaultUri, line);
        Assert.Contains("HTTP 503", line);
    }

    [Fact]
    public async Task Within_the_TTL_a_value_is_served_from_the_cache_and_after_it_a_rotated_value_is_read()
    {
        var vault = FullVault();
        var store = await StoreAsync(vault);
        const string rotated = "vault-hmac-key-rotated-0123456789abcdef-01";

        vault.Set("ops-hmac-secret", rotated);
        _time.Advance(Ttl - TimeSpan.FromSeconds(1));
        Assert.Equal(Hmac, await store.GetAsync(SettingNames.OpsHmacSecret, CancellationToken.None));
        Assert.Equal(1, vault.ReadsOf("ops-hmac-secret"));

        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(rotated, await store.GetAsync(SettingNames.OpsHmacSecret, CancellationToken.None));
        Assert.Equal(rotated, await store.GetAsync(SettingNames.OpsHmacSecret, CancellationToken.None));
        Assert.Equal(2, vault.ReadsOf("ops-hmac-secret"));
        Assert.Equal(0, store.Failures);
    }

    [Fact]
    public async Task When_the_vault_is_unreachable_the_last_good_value_is_kept_and_the_failure_logged_and_counted()
    {
        var vault = FullVault();
        var store = await StoreAsync(vault);
        vault.Unreachable = true;
        _time.Advance(Ttl + TimeSpan.FromSeconds(1));

        Assert.Equal(Webhook, await store.GetAsync(SettingNames.SlackWebhookUrl, CancellationToken.None));
        Assert.Equal(1, store.Failures);
        Assert.Equal(1, _metrics.Sum(KeyVaultSecretStore.FailureMetric));
        Assert.Contains(_logs.Lines, l => l.Contains("'slack-webhook-url'") && l.Contains("HTTP 503") && l.Contains("last good value"));

        // Not retried at every use: the next read waits for the retry interval.
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(Webhook, await store.GetAsync(SettingNames.SlackWebhookUrl, CancellationToken.None));
        Assert.Equal(2, vault.ReadsOf("slack-webhook-url"));

        vault.Unreachable = false;
        vault.Set("slack-webhook-url", "https://hooks.slack.com/services/T000/B000/afteroutage");
        _time.Advance(KeyVaultSecretStore.RetryAfterFailure);
        Assert.EndsWith("afteroutage", await store.GetAsync(SettingNames.SlackWebhookUrl, CancellationToken.None));
    }

    [Fact]
    public async Task A_secret_deleted_while_running_keeps_its_last_good_value()
    {
        var vault = FullVault();
        var store = await StoreAsync(vault);
        vault.Delete("postgres-connection-string");
        _time.Advance(Ttl + TimeSpan.FromSeconds(1));

        Assert.Equal(Postgres, await store.GetAsync(SettingNames.PostgresConnectionString, CancellationToken.None));
        Assert.Equal(1, store.Failures);
    }

    [Fact]
    public async Task No_secret_value_reaches_a_log_line()
    {
        var vault = FullVault();
        var store = await StoreAsync(vault);
        vault.Unreachable = true;
        _time.Advance(Ttl + TimeSpan.FromSeconds(1));
        foreach (var setting in VaultSecretNames.BySetting.Keys)
        {
            await store.GetAsync(setting, CancellationToken.None);
        }

        Assert.Equal(VaultSecretNames.BySetting.Count, _logs.Lines.Count);
        foreach (var secret in new[] { Hmac, "vaultwebhooktoken", "paymentstoken", "vault-pg-password" })
        {
            Assert.DoesNotContain(secret, _logs.All);
        }
    }
}
