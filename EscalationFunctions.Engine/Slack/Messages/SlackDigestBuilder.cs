using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Engine.Slack.Outbox;

namespace EscalationFunctions.Engine.Slack.Messages;

/// <summary>
/// One Slack message for several escalations waiting for one webhook (reference §5.2): a header, one
/// section per escalation (its mention first, then level, severity, route, title, key, and a link
/// button beside it), oldest first in the order given, and a context line. The JSON also carries
/// <c>dedup_keys</c> (the members' keys) and <c>dedup_key</c> (<see cref="DedupKeyOf"/>), which the
/// sender also puts in <c>X-Dedup-Key</c>.
/// </summary>
public static class SlackDigestBuilder
{
    /// <summary>The most escalations one digest lists (<see cref="SlackSettings.MaxDigestMembers"/>).</summary>
    public const int MaxMembers = SlackSettings.MaxDigestMembers;

    // Per entry, so that forty entries stay a readable message whatever the titles and keys.
    private const int MaxTitleInEntry = 300;
    private const int MaxKeyInEntry = 500;
    private const int MaxNameInEntry = 100;
    private const int MaxKeyInText = 200;

    // A text link longer than this is left out, so that an entry's text (title 300, key 500, names, mentions) stays within 3,000.
    private const int MaxLinkInEntry = 1000;

    /// <summary>SHA-256 lowercase hex of the member keys sorted (ordinal) and joined with <c>,</c>.</summary>
    public static string DedupKeyOf(IEnumerable<string> memberDedupKeys)
    {
        ArgumentNullException.ThrowIfNull(memberDedupKeys);
        var joined = string.Join(',', memberDedupKeys.Order(StringComparer.Ordinal));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(joined)));
    }

    /// <param name="members">1 to <see cref="MaxMembers"/> escalations, oldest first.</param>
    /// <param name="acknowledge">Each entry carries the Acknowledge button (reference §9) as its accessory, and its link moves
    /// into its text: one block per entry keeps forty entries within Slack's 50 blocks.</param>
    /// <param name="stateOf">App mode's rewrite (reference §10.4): each closed member is marked (who acknowledged it, or when it was
    /// resolved) and loses its Acknowledge button; the others are shown as they were.</param>
    public static string BuildJson(IReadOnlyList<OutboxNotification> members, Uri appBaseUrl, SlackLevelMentions? mentions = null,
        bool acknowledge = false, Func<string, IncidentShownState>? stateOf = null)
    {
        ArgumentNullException.ThrowIfNull(members);
        ArgumentOutOfRangeException.ThrowIfZero(members.Count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(members.Count, MaxMembers);

        var dedupKeys = members.Select(m => m.DedupKey).ToArray();
        var dedupKey = DedupKeyOf(dedupKeys);
        var closedLines = members.Select(m => stateOf?.Invoke(m.IncidentKey).Describe(who => SlackText.Mrkdwn(who, MaxNameInEntry))).ToList();
        var stillOpen = closedLines.Count(c => c is null);
        var howMany = members.Count == 1 ? "1 escalation is" : $"{members.Count.ToString(CultureInfo.InvariantCulture)} escalations are";
        var header = stillOpen == members.Count ? $"{howMany} not acknowledged"
            : stillOpen == 0 ? $"{members.Count.ToString(CultureInfo.InvariantCulture)} escalation(s), none open any more"
            : $"{stillOpen.ToString(CultureInfo.InvariantCulture)} of {members.Count.ToString(CultureInfo.InvariantCulture)} escalations not acknowledged";

        var blocks = new List<object>(members.Count + 2) { BlockKit.Header(header) };
        blocks.AddRange(members.Select((m, i) => closedLines[i] is { } closed ? Entry(m, i, appBaseUrl, mentions, closed)
            : acknowledge ? AcknowledgeEntry(m, appBaseUrl, mentions) : Entry(m, i, appBaseUrl, mentions)));
        blocks.Add(BlockKit.Context($"Digest of {members.Count.ToString(CultureInfo.InvariantCulture)} · dedup key `{dedupKey}`"));

        // Every distinct mention opens the text, which is what notifies on phones and in the sidebar.
        var opening = string.Concat(members.Select(m => SlackMessageBuilder.Opening(mentions, m)).Distinct(StringComparer.Ordinal));
        var list = string.Join(", ", members.Select(m =>
            $"{SlackText.Mrkdwn(m.IncidentKey, MaxKeyInText)} (level {m.Level.ToString(CultureInfo.InvariantCulture)})"));
        var message = new
        {
            text = SlackText.Cut($"{opening}{header}: {list}.", BlockKit.MaxMessageText),
            blocks,
            dedup_keys = dedupKeys,
            dedup_key = dedupKey,
        };
        return JsonSerializer.Serialize(message);
    }

    private static object Entry(OutboxNotification m, int index, Uri appBaseUrl, SlackLevelMentions? mentions, string? closed = null)
    {
        var button = BlockKit.LinkButton(
            $"open_incident_{(index + 1).ToString(CultureInfo.InvariantCulture)}", "Open incident", IncidentLink.For(appBaseUrl, m.IncidentKey));
        var text = EntryText(m, mentions) + (closed is null ? "" : $"\n:white_check_mark: *{closed}*") +
                   (button is null ? $"\n{SlackMessageBuilder.LinkTooLong}" : "");
        return button is null ? BlockKit.Section(text) : BlockKit.Section(text, button);
    }

    /// <summary>An entry whose accessory is the Acknowledge button; the link is a text link (or, when too long, a note).</summary>
    private static object AcknowledgeEntry(OutboxNotification m, Uri appBaseUrl, SlackLevelMentions? mentions)
    {
        var url = SlackText.Mrkdwn(IncidentLink.For(appBaseUrl, m.IncidentKey), 5 * BlockKit.MaxUrl);
        var button = AcknowledgeButton.For(m.IncidentKey);
        var text = EntryText(m, mentions) +
                   (url.Length <= MaxLinkInEntry ? $" · <{url}|Open incident>" : $"\n{SlackMessageBuilder.LinkTooLong}") +
                   (button is null ? $"\n{AcknowledgeButton.KeyTooLong}" : "");
        return button is null ? BlockKit.Section(text) : BlockKit.Section(text, button);
    }

    private static string EntryText(OutboxNotification m, SlackLevelMentions? mentions) =>
        $"{SlackMessageBuilder.Opening(mentions, m)}*Level {m.Level.ToString(CultureInfo.InvariantCulture)}* · " +
        $"{SlackText.Mrkdwn(m.Severity, MaxNameInEntry)} · route {SlackText.Mrkdwn(m.Route, MaxNameInEntry)}\n" +
        $"{SlackText.Mrkdwn(SlackMessageBuilder.TitleOf(m), MaxTitleInEntry)}\n" +
        $"incident `{SlackText.Mrkdwn(m.IncidentKey, MaxKeyInEntry)}`";
}
