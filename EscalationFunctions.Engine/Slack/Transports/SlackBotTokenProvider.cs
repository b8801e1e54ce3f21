using EscalationFunctions.Engine.Secrets;
using EscalationFunctions.Engine.Settings;

namespace EscalationFunctions.Engine.Slack.Transports;

/// <summary>
/// The Slack app's bot token (<c>SLACK_BOT_TOKEN</c>, Key Vault secret <c>slack-bot-token</c>), read
/// from the secret store on every use, so a rotated token is used without a restart (reference §10.3).
/// The value is never logged or put into an error.
/// </summary>
public sealed class SlackBotTokenProvider(ISecretStore secrets)
{
    /// <summary>The current token, or null when it is not set (any more).</summary>
    public async ValueTask<string?> GetAsync(CancellationToken ct)
    {
        var token = (await secrets.GetAsync(SettingNames.SlackBotToken, ct))?.Trim();
        return string.IsNullOrEmpty(token) ? null : token;
    }
}
