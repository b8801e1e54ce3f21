namespace EscalationFunctions.Engine.Secrets;

/// <summary>
/// The current values of the secret settings: <c>OPS_HMAC_SECRET</c>, <c>SLACK_WEBHOOK_URL</c>,
/// <c>SLACK_ROUTE_WEBHOOKS</c> and <c>POSTGRES_CONNECTION_STRING</c>. Read when used, so a store
/// that re-reads its source (Key Vault, when <c>KEY_VAULT_URI</c> is set) rotates them without a restart.
/// </summary>
public interface ISecretStore
{
    /// <summary>True when values can change while the process runs.</summary>
    bool CanRotate { get; }

    /// <summary>The setting's current value, or null when it is not set.</summary>
    ValueTask<string?> GetAsync(string settingName, CancellationToken ct);
}
