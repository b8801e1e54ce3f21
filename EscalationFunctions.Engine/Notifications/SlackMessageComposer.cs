using EscalationFunctions.Engine.Configuration;
using EscalationFunctions.Engine.Security;

namespace EscalationFunctions.Engine.Notifications;

/// <summary>
/// The message JSON the sender posts, with what the settings ask for right now: the incident links
/// (<c>APP_BASE_URL</c>), the level mentions (<c>SLACK_LEVEL_MENTIONS</c>) and the Acknowledge button
/// while a Slack signing secret is set (it is read on use, so creating or removing the secret in
/// Key Vault turns the button on or off without a restart).
/// </summary>
public sealed class SlackMessageComposer(EscalationSettings settings, SlackSigningSecretProvider signing)
{
    public async ValueTask<string> SingleAsync(OutboxNotification n, CancellationToken ct) =>
        SlackMessageBuilder.BuildJson(n, settings.Slack.AppBaseUrl, settings.Slack.LevelMentions, await signing.IsEnabledAsync(ct));

    public async ValueTask<string> DigestAsync(IReadOnlyList<OutboxNotification> members, CancellationToken ct) =>
        SlackDigestBuilder.BuildJson(members, settings.Slack.AppBaseUrl, settings.Slack.LevelMentions, await signing.IsEnabledAsync(ct));
}
