using EscalationFunctions.Engine.Security;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Engine.Slack.App;
using EscalationFunctions.Engine.Slack.Messages;
using EscalationFunctions.Engine.Slack.Outbox;

namespace EscalationFunctions.Engine.Slack.Delivery;

/// <summary>
/// Turns the messages a lane took into one post (reference §5.2): a single message, or a digest when the
/// lane took several, which it does only when more than <see cref="DigestThreshold"/> waited. With a
/// Slack signing secret set, the message carries the Acknowledge button (reference §9); the secret is read
/// on use, so creating or removing it in Key Vault turns the button on or off without a restart.
/// In app mode (reference §10) a single page replies in its incident's thread when the channel has one,
/// and a rewrite is composed from the posted message and its incidents' states as they are now.
/// </summary>
public sealed class SlackMessageComposer(EscalationSettings settings, SlackSigningSecretProvider signing, SlackMessageStore posted)
{
    /// <summary><c>SLACK_DIGEST_THRESHOLD</c>: more waiting escalations than this for one webhook go out as digests.</summary>
    public int DigestThreshold => settings.Slack.DigestThreshold;

    /// <summary><c>SLACK_DIGEST_MAX</c>: escalations per digest, oldest first.</summary>
    public int DigestMax => settings.Slack.DigestMax;

    /// <summary>
    /// App mode: what a post needs from the database besides its rows (a single page's thread, the
    /// message a rewrite changes), read while the lane waits for its channel's pace so that the reads
    /// do not stretch it. Safe ahead of the post: only this lane posts to the channel, and a change to
    /// an incident after the read queues a rewrite of its own. Null when there is nothing to read, or
    /// the read failed (the post then reads again, and reports the failure).
    /// </summary>
    public async Task<AppPostContext?> PrepareAsync(PlannedLane lane, IReadOnlyList<OutboxNotification> rows)
    {
        if (lane.Channel is not { } channel || rows.Count != 1)
        {
            return null;
        }
        try
        {
            return rows[0].Kind switch
            {
                OutgoingKind.Page => new AppPostContext(rows[0].Id, await posted.ThreadRootAsync(channel, rows[0].IncidentKey), null),
                OutgoingKind.MessageUpdate => new AppPostContext(rows[0].Id, null, await posted.ReadForRewriteAsync(rows[0])),
                _ => null,
            };
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException)
        {
            return null;
        }
    }

    /// <summary>
    /// The post for a lane's claimed rows: pages composed now, a click answer as it was prepared, a
    /// rewrite from its message. Null when a rewrite's message is no longer known (nothing to post).
    /// </summary>
    /// <param name="prepared">What <see cref="PrepareAsync"/> read for these rows; read now when it is for other rows or missing.</param>
    public async ValueTask<SlackMessage?> ComposeAsync(PlannedLane lane, IReadOnlyList<OutboxNotification> members, AppPostContext? prepared,
        CancellationToken ct)
    {
        if (prepared is not null && (members.Count != 1 || members[0].Id != prepared.RowId))
        {
            prepared = null;
        }
        if (members[0].Kind == OutgoingKind.ClickAnswer)
        {
            return new SlackMessage(members, null, members[0].Body!);
        }
        if (members[0].Kind == OutgoingKind.MessageUpdate)
        {
            var message = prepared?.Rewrite ?? await posted.ReadForRewriteAsync(members[0]);
            return message is null ? null : await RewriteAsync(members[0], message, ct);
        }
        var slack = settings.Slack;
        var acknowledge = await signing.IsEnabledAsync(ct);
        if (members.Count == 1)
        {
            var only = members[0];
            return new SlackMessage(members, only.DedupKey, SlackMessageBuilder.BuildJson(only, slack.AppBaseUrl, slack.LevelMentions, acknowledge))
            {
                App = lane.Channel is { } channel
                    ? new SlackAppTarget(channel, prepared is not null ? prepared.ThreadTs : await posted.ThreadRootAsync(channel, only.IncidentKey))
                    : null,
            };
        }
        return new SlackMessage(members, SlackDigestBuilder.DedupKeyOf(members.Select(m => m.DedupKey)),
            SlackDigestBuilder.BuildJson(members, slack.AppBaseUrl, slack.LevelMentions, acknowledge))
        {
            App = lane.Channel is { } digestChannel ? new SlackAppTarget(digestChannel) : null,
        };
    }

    private async ValueTask<SlackMessage> RewriteAsync(OutboxNotification rewrite, PostedMessage message, CancellationToken ct)
    {
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
