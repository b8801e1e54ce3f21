using System.Globalization;
using System.Text.Json;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Engine.Slack.Outbox;

namespace EscalationFunctions.Engine.Slack.Messages;

/// <summary>
/// The Slack message for one escalation (reference §5): <c>text</c> (shown in notifications and by
/// clients without Block Kit), Block Kit <c>blocks</c> with a button to the incident, and
/// <c>dedup_key</c>, the same value the sender puts in the <c>X-Dedup-Key</c> header. The level's
/// mention (§5.5) opens the text and the first block. Every part keeps to Block Kit's limits
/// (<see cref="BlockKit"/>), whatever the title and key.
/// </summary>
public static class SlackMessageBuilder
{
    // Budgets for the pieces of a one-line text, so that a huge title cannot push the key out.
    internal const int MaxTitleInText = 500;
    internal const int MaxKeyInText = 1000;
    internal const int MaxNameInText = 100;

    /// <summary>The incident link (§5.4). The message itself uses <see cref="IncidentLink.For"/>'s text.</summary>
    /// <remarks>Path canonicalization is off: by default System.Uri turns <c>/incidents/%2E%2E</c> back into
    /// <c>/</c>, the very link §5.4 forbids.</remarks>
    public static Uri IncidentUrl(Uri appBaseUrl, string incidentKey) =>
        new(IncidentLink.For(appBaseUrl, incidentKey), new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });

    /// <param name="acknowledge">Adds the Acknowledge button (reference §9): true when <c>SLACK_SIGNING_SECRET</c> is set.</param>
    /// <param name="state">App mode's rewrite (reference §10.4): a closed incident's message says who acknowledged it or when it
    /// was resolved, and has no Acknowledge button.</param>
    public static string BuildJson(OutboxNotification n, Uri appBaseUrl, SlackLevelMentions? mentions = null, bool acknowledge = false,
        IncidentShownState? state = null)
    {
        var opening = Opening(mentions, n);
        var title = TitleOf(n);
        var level = n.Level.ToString(CultureInfo.InvariantCulture);
        var link = BlockKit.LinkButton("open_incident", "Open incident", IncidentLink.For(appBaseUrl, n.IncidentKey));
        var closed = state?.Describe(who => SlackText.Mrkdwn(who, MaxNameInText));
        acknowledge &= closed is null;
        var ack = acknowledge ? AcknowledgeButton.For(n.IncidentKey) : null;

        var blocks = new List<object>
        {
            BlockKit.Section($"{opening}*Escalated to level {level}:* {SlackText.Mrkdwn(title, MaxTitleInText)}"),
            BlockKit.Fields(("Incident", n.IncidentKey), ("Severity", n.Severity), ("Route", n.Route), ("Escalation level", level)),
        };
        if (closed is not null)
        {
            blocks.Add(BlockKit.Section($":white_check_mark: *{closed}*"));
        }
        object[] buttons = new[] { ack, link }.OfType<object>().ToArray();
        if (buttons.Length > 0)
        {
            blocks.Add(BlockKit.Actions(buttons));
        }
        if (link is null)
        {
            blocks.Add(BlockKit.Context(LinkTooLong));
        }
        if (acknowledge && ack is null)
        {
            blocks.Add(BlockKit.Context(AcknowledgeButton.KeyTooLong));
        }
        blocks.Add(BlockKit.Context($"dedup key `{n.DedupKey}`"));
        var message = new
        {
            text = SlackText.Cut(
                $"{opening}Escalated to level {level}: {SlackText.Mrkdwn(title, MaxTitleInText)} ({SlackText.Mrkdwn(n.Severity, MaxNameInText)}, " +
                $"route {SlackText.Mrkdwn(n.Route, MaxNameInText)}, incident {SlackText.Mrkdwn(n.IncidentKey, MaxKeyInText)}) " +
                (closed is null ? "is not acknowledged." : $"· {closed}."),
                BlockKit.MaxMessageText),
            blocks,
            dedup_key = n.DedupKey,
        };
        return JsonSerializer.Serialize(message);
    }

    /// <summary>Shown instead of the button when the link is longer than Slack accepts (3,000 characters).</summary>
    internal const string LinkTooLong = "No link: this incident's key makes its link longer than Slack accepts (3,000 characters); find the incident by its key.";

    /// <summary>The level's mention and a space, or nothing.</summary>
    internal static string Opening(SlackLevelMentions? mentions, OutboxNotification n) =>
        mentions?.For(n.Route, n.Level) is { } mention ? mention + " " : "";

    internal static string TitleOf(OutboxNotification n) => string.IsNullOrWhiteSpace(n.Title) ? n.IncidentKey : n.Title.Trim();
}
