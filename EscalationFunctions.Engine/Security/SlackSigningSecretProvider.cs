using EscalationFunctions.Engine.Secrets;
using EscalationFunctions.Engine.Settings;
using Microsoft.Extensions.Logging;

namespace EscalationFunctions.Engine.Security;

/// <summary>
/// The current Slack signing secret(s): <c>SLACK_SIGNING_SECRET</c>, re-read from the secret store
/// (Key Vault secret <c>slack-signing-secret</c>) on use, so rotating it needs no restart. Empty
/// means acknowledging from Slack is off: messages carry no Acknowledge button and clicks are refused.
/// </summary>
public sealed class SlackSigningSecretProvider
{
    private readonly RotatingSecret<string?, IReadOnlyList<string>> _secrets;

    public SlackSigningSecretProvider(EscalationSettings settings, ISecretStore secrets, ILogger<SlackSigningSecretProvider> logger)
    {
        _secrets = new RotatingSecret<string?, IReadOnlyList<string>>(
            SettingNames.SlackSigningSecret,
            settings.Slack.SigningSecrets,
            ct => secrets.GetAsync(SettingNames.SlackSigningSecret, ct),
            raw => SecretFormats.TryParseSlackSigningSecrets(raw, out var parsed, out var problem) ? (parsed, null) : (null, problem),
            logger);
    }

    public ValueTask<IReadOnlyList<string>> GetSecretsAsync(CancellationToken ct) => _secrets.GetAsync(ct);

    /// <summary>Whether messages carry the Acknowledge button now.</summary>
    public async ValueTask<bool> IsEnabledAsync(CancellationToken ct) => (await GetSecretsAsync(ct)).Count > 0;
}
