namespace EscalationFunctions.Engine.Slack.Messages;

/// <summary>
/// Slack's Block Kit limits (reference §5.2) and the few elements our messages use, each built within
/// them. A message that breaks one limit is refused whole (<c>400 invalid_blocks</c>), and a refused
/// message is dead-lettered (§5.3): so every text is cut here, whatever a title or key holds.
/// </summary>
public static class BlockKit
{
    public const int MaxBlocks = 50;
    public const int MaxSectionText = 3000;
    public const int MaxField = 2000;
    public const int MaxFields = 10;
    public const int MaxHeader = 150;
    public const int MaxButtonText = 75;
    public const int MaxUrl = 3000;
    public const int MaxActionId = 255;
    public const int MaxContextText = 3000;
    public const int MaxButtonValue = 2000;

    /// <summary>The message's top-level <c>text</c> (notifications, clients without blocks). Slack cuts
    /// it at 40,000; we keep it to a section's 3,000 so a notification stays readable.</summary>
    public const int MaxMessageText = 3000;

    public static object Header(string text) =>
        new { type = "header", text = new { type = "plain_text", text = SlackText.Plain(text, MaxHeader) } };

    /// <summary>A section of formatted text (escaped pieces and mentions), cut to 3,000.</summary>
    public static object Section(string formatted) =>
        new { type = "section", text = Mrkdwn(formatted, MaxSectionText) };

    /// <summary>A section with a link button beside its text (one block per digest entry).</summary>
    public static object Section(string formatted, object accessory) =>
        new { type = "section", text = Mrkdwn(formatted, MaxSectionText), accessory };

    public static object Fields(params (string Label, string Value)[] fields) =>
        new
        {
            type = "section",
            fields = fields.Take(MaxFields)
                .Select(f => Mrkdwn($"*{f.Label}*\n{SlackText.Mrkdwn(f.Value, MaxField - f.Label.Length - 3)}", MaxField))
                .ToArray(),
        };

    public static object Actions(params object[] elements) => new { type = "actions", elements };

    public static object Context(string formatted) =>
        new { type = "context", elements = new[] { Mrkdwn(formatted, MaxContextText) } };

    /// <summary>A link button, or null when the URL is longer than Slack accepts: the caller then shows
    /// the key as text instead (a shortened URL would name no incident, and a message with a longer
    /// URL would be refused for ever).</summary>
    public static object? LinkButton(string actionId, string label, string url) =>
        url.Length > MaxUrl ? null : new
        {
            type = "button",
            action_id = SlackText.Plain(actionId, MaxActionId),
            style = "danger",
            text = new { type = "plain_text", text = SlackText.Plain(label, MaxButtonText) },
            url,
        };

    private static object Mrkdwn(string formatted, int max) => new { type = "mrkdwn", text = SlackText.Cut(formatted, max) };

    /// <summary>
    /// A button that reports its click to the Slack app (reference §9's Acknowledge: <c>action_id</c> and
    /// <c>value</c>, no URL), or null when the value is longer than Slack accepts (2,000 characters):
    /// a shortened value would name another incident, so the caller says how else to act instead.
    /// </summary>
    public static object? ActionButton(string actionId, string label, string value) =>
        value.Length > MaxButtonValue ? null : new
        {
            type = "button",
            action_id = SlackText.Plain(actionId, MaxActionId),
            style = "primary",
            text = new { type = "plain_text", text = SlackText.Plain(label, MaxButtonText) },
            value,
        };
}
