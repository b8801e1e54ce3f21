using EscalationFunctions.Engine.Configuration;
using EscalationFunctions.Engine.Security;

namespace EscalationFunctions.Engine.Notifications;

/// <summary>
/// Turns the messages a lane took into one post (spec §5.2): a single message, or a digest when the
/// lane took several, which it does only when more than <see cref="DigestThreshold"/> waited. With a
/// Slack signing secret set, the message carries the Acknowledge button (spec §9); the secret is read
/// on use, so creating or removing it in Key Vault turns the button on or off without a restart.
/// </summary>
public sealed class SlackMessageComposer(EscalationSettings settings, SlackSigningSecretProvider signing)
{
    /// <summary><c>SLACK_DIGEST_THRESHOLD</c>: more waiting escalations than this for one webhook go out as digests.</summary>
    public int DigestThreshold => settings.Slack.DigestThreshold;

    /// <summary><c>SLACK_DIGEST_MAX</c>: escalations per digest, oldest first.</summary>
    public int DigestMax => settings.Slack.DigestMax;

    /// <summary>The post for a lane's claimed rows: pages composed now, a click answer as it was prepared.</summary>
    public async ValueTask<SlackMessage> ComposeAsync(IReadOnlyList<OutboxNotification> members, CancellationToken ct)
    {
        if (members[0].Kind == OutgoingKind.ClickAnswer)
        {
            return new SlackMessage(members, null, members[0].Body!);
        }
        var slack = settings.Slack;
        var acknowledge = await signing.IsEnabledAsync(ct);
        if (members.Count == 1)
        {
            var only = members[0];
            return new SlackMessage(members, only.DedupKey, SlackMessageBuilder.BuildJson(only, slack.AppBaseUrl, slack.LevelMentions, acknowledge));
        }
        return new SlackMessage(members, SlackDigestBuilder.DedupKeyOf(members.Select(m => m.DedupKey)),
            SlackDigestBuilder.BuildJson(members, slack.AppBaseUrl, slack.LevelMentions, acknowledge));
    }
}
