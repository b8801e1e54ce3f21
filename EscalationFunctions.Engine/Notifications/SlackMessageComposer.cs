using EscalationFunctions.Engine.Configuration;

namespace EscalationFunctions.Engine.Notifications;

/// <summary>
/// Turns the messages a lane took into one post (spec §5.2): a single message, or a digest when the
/// lane took several, which it does only when more than <see cref="DigestThreshold"/> waited.
/// </summary>
public sealed class SlackMessageComposer(EscalationSettings settings)
{
    /// <summary><c>SLACK_DIGEST_THRESHOLD</c>: more waiting escalations than this for one webhook go out as digests.</summary>
    public int DigestThreshold => settings.Slack.DigestThreshold;

    /// <summary><c>SLACK_DIGEST_MAX</c>: escalations per digest, oldest first.</summary>
    public int DigestMax => settings.Slack.DigestMax;

    public SlackMessage Compose(IReadOnlyList<OutboxNotification> members)
    {
        var slack = settings.Slack;
        if (members.Count == 1)
        {
            var only = members[0];
            return new SlackMessage(members, only.DedupKey, SlackMessageBuilder.BuildJson(only, slack.AppBaseUrl, slack.LevelMentions));
        }
        return new SlackMessage(members, SlackDigestBuilder.DedupKeyOf(members.Select(m => m.DedupKey)),
            SlackDigestBuilder.BuildJson(members, slack.AppBaseUrl, slack.LevelMentions));
    }
}
