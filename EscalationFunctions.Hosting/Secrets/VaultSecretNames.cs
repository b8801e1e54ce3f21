using EscalationFunctions.Engine.Settings;

namespace EscalationFunctions.Hosting.Secrets;

/// <summary>
/// The Key Vault secrets behind the secret settings, when <c>KEY_VAULT_URI</c> is set. Operators
/// create them under these names (infra/README.md and docs/runbook.md say how).
/// </summary>
public static class VaultSecretNames
{
    public static IReadOnlyDictionary<string, string> BySetting { get; } = new Dictionary<string, string>
    {
        [SettingNames.SlackBotToken] = "slack-bot-token",
        [SettingNames.OpsHmacSecret] = "ops-hmac-secret",
        [SettingNames.SlackWebhookUrl] = "slack-webhook-url",
        [SettingNames.SlackRouteWebhooks] = "slack-route-webhooks",
        [SettingNames.PostgresConnectionString] = "postgres-connection-string",
        [SettingNames.SlackSigningSecret] = "slack-signing-secret",
    };

    /// <summary>Secrets that must exist at start-up; <c>slack-route-webhooks</c> may be absent (no per-route webhooks), and
    /// <c>slack-signing-secret</c> too (no Acknowledge button until it is created; it is picked up without a restart).
    /// <c>slack-bot-token</c> turns Slack app mode on (reference §10); then <c>slack-webhook-url</c> is not needed.</summary>
    public static IReadOnlySet<string> Required { get; } = new HashSet<string>
    {
        SettingNames.OpsHmacSecret, SettingNames.SlackWebhookUrl, SettingNames.PostgresConnectionString,
    };
}
