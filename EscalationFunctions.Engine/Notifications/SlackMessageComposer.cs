using EscalationFunctions.Engine.Configuration;

namespace EscalationFunctions.Engine.Notifications;

/// <summary>Turns the messages a lane took into one post: a single message, or a digest (spec §5.2).</summary>
public sealed class SlackMessageComposer(EscalationSettings settings)
{
    /// <summary>More waiting escalations than this for one webhook go out as digests.</summary>
    public int DigestThreshold => int.MaxValue;

    /// <summary>Escalations per digest.</summary>
    public int DigestMax => 1;

    public SlackMessage Compose(IReadOnlyList<OutboxNotification> members)
    {
        if (members.Count != 1)
        {
            throw new ArgumentException("digests are not composed yet", nameof(members));
        }
        var only = members[0];
        return new SlackMessage(members, only.DedupKey, SlackMessageBuilder.BuildJson(only, settings.Slack.AppBaseUrl));
    }
}
