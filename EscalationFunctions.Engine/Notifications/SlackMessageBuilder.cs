using System.Text.Json;

namespace EscalationFunctions.Engine.Notifications;

/// <summary>
/// The Slack message for one escalation (spec §5): <c>text</c> (shown in notifications and by
/// clients without Block Kit), Block Kit <c>blocks</c> with a button to the incident, and
/// <c>dedup_key</c>, the same value the sender puts in the <c>X-Dedup-Key</c> header.
/// </summary>
public static class SlackMessageBuilder
{
    // Slack's limits: 150 characters of header text, 2,000 per section field.
    private const int MaxHeader = 150;
    private const int MaxField = 2000;

    public static Uri IncidentUrl(Uri appBaseUrl, string incidentKey) =>
        new($"{appBaseUrl.AbsoluteUri.TrimEnd('/')}/incidents/{Uri.EscapeDataString(incidentKey)}");

    public static string BuildJson(OutboxNotification n, Uri appBaseUrl)
    {
        var title = string.IsNullOrWhiteSpace(n.Title) ? n.IncidentKey : n.Title.Trim();
        var url = IncidentUrl(appBaseUrl, n.IncidentKey).AbsoluteUri;
        var message = new
        {
            text = $"Escalated to level {n.Level}: {Escape(title)} ({n.Severity}, route {Escape(n.Route)}, incident {Escape(n.IncidentKey)}) is not acknowledged.",
            blocks = new object[]
            {
                new
                {
                    type = "header",
                    text = new { type = "plain_text", text = Truncate($"Level {n.Level}: {title}", MaxHeader) },
                },
                new
                {
                    type = "section",
                    fields = new object[]
                    {
                        Field("Incident", n.IncidentKey),
                        Field("Severity", n.Severity),
                        Field("Route", n.Route),
                        Field("Escalation level", n.Level.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                    },
                },
                new
                {
                    type = "actions",
                    elements = new object[]
                    {
                        new
                        {
                            type = "button",
                            action_id = "open_incident",
                            style = "danger",
                            text = new { type = "plain_text", text = "Open incident" },
                            url,
                        },
                    },
                },
                new
                {
                    type = "context",
                    elements = new object[] { new { type = "mrkdwn", text = $"dedup key `{n.DedupKey}`" } },
                },
            },
            dedup_key = n.DedupKey,
        };
        return JsonSerializer.Serialize(message);
    }

    private static object Field(string label, string value) =>
        new { type = "mrkdwn", text = Truncate($"*{label}*\n{Escape(value)}", MaxField) };

    /// <summary>Slack's mrkdwn needs only these three escaped.</summary>
    private static string Escape(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal)
            .Replace("<", "&lt;", StringComparison.Ordinal)
            .Replace(">", "&gt;", StringComparison.Ordinal);

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
