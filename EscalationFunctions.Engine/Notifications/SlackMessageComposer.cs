using EscalationFunctions.Engine.Configuration;
using EscalationFunctions.Engine.Notifications.App;
using EscalationFunctions.Engine.Security;

namespace EscalationFunctions.Engine.Notifications;

/// <summary>
/// Turns the messages a lane took into one post (spec §5.2): a single message, or a digest when the
/// lane took several, which it does only when more than <see cref="DigestThreshold"/> waited. With a
/// Slack signing secret set, the message carries the Acknowledge button (spec §9); the secret is read
/// on use, so creating or removing it in Key Vault turns the button on or off without a restart.
/// In app mode (spec §10) a single page replies in its incident's thread when the channel has one,
/// and a rewrite is composed from the posted message and its incidents' states as they are now.
/// </summary>
public sealed class SlackMessageComposer(EscalationSettings settings, SlackSigningSecretProvider signing, SlackMessageStore posted)
{
    /// <summary><c>SLACK_DIGEST_THRESHOLD</c>: more waiting escalations than this for one webhook go out as digests.</summary>
    public int DigestThreshold => settings.Slack.DigestThreshold;

    /// <summary><c>SLACK_DIGEST_MAX</c>: escalations per digest, oldest first.</summary>
    public int DigestMax => settings.Slack.DigestMax;

    /// <summary>
    /// The post for a lane's claimed rows: pages composed now, a click answer as it was prepared, a
    /// rewrite from its message. Null when a rewrite's message is no longer known (nothing to post).
    /// </summary>
    public async ValueTask<SlackMessage?> ComposeAsync(PlannedLane lane, IReadOnlyList<OutboxNotification> members, CancellationToken ct)
    {
        if (members[0].Kind == OutgoingKind.ClickAnswer)
        {
            return new SlackMessage(members, null, members[0].Body!);
        }
        if (members[0].Kind == OutgoingKind.MessageUpdate)
        {
            return await RewriteAsync(members[0], ct);
        }
        var slack = settings.Slack;
        var acknowledge = await signing.IsEnabledAsync(ct);
        if (members.Count == 1)
        {
            var only = members[0];
            return new SlackMessage(members, only.DedupKey, SlackMessageBuilder.BuildJson(only, slack.AppBaseUrl, slack.LevelMentions, acknowledge))
            {
                App = lane.Channel is { } channel ? new SlackAppTarget(channel, await posted.ThreadRootAsync(channel, only.IncidentKey)) : null,
            };
        }
        return new SlackMessage(members, SlackDigestBuilder.DedupKeyOf(members.Select(m => m.DedupKey)),
            SlackDigestBuilder.BuildJson(members, slack.AppBaseUrl, slack.LevelMentions, acknowledge))
        {
            App = lane.Channel is { } digestChannel ? new SlackAppTarget(digestChannel) : null,
        };
    }

    private async ValueTask<SlackMessage?> RewriteAsync(OutboxNotification rewrite, CancellationToken ct)
    {
        if (await posted.ReadForRewriteAsync(rewrite) is not { } message)
        {
            return null;
        }
        var slack = settings.Slack;
        var acknowledge = await signing.IsEnabledAsync(ct);
        var shown = message.Shows.Select(s => s.AsNotification()).ToList();
        var target = new SlackAppTarget(message.Channel, UpdateTs: message.Ts, SlackMessageId: message.Id);
        return message.IsDigest
            ? new SlackMessage([rewrite], SlackDigestBuilder.DedupKeyOf(shown.Select(m => m.DedupKey)),
                SlackDigestBuilder.BuildJson(shown, slack.AppBaseUrl, slack.LevelMentions, acknowledge, message.StateOf)) { App = target }
            : new SlackMessage([rewrite], shown[0].DedupKey,
                SlackMessageBuilder.BuildJson(shown[0], slack.AppBaseUrl, slack.LevelMentions, acknowledge, message.StateOf(shown[0].IncidentKey))) { App = target };
    }
}
