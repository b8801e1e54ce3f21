using System.Text;

namespace EscalationFunctions.Engine.Slack.Messages;

/// <summary>
/// The incident link of reference §5.4: <c>{APP_BASE_URL}/incidents/{key}</c>, the key percent-encoded as
/// one path segment. <c>.</c> and <c>..</c> are written <c>%2E</c> and <c>%2E%2E</c> (left plain, any
/// client resolves them to <c>/incidents/</c> or <c>/</c>, a link that names no incident).
/// </summary>
/// <remarks>
/// Caution: the WHATWG URL standard (browsers) and System.Uri also treat <c>%2E</c> and <c>%2E%2E</c>
/// as dot segments, so a browser may still open the parent page for these two keys. The spec's form
/// is kept; a page that must serve them has to read the raw request path.
/// </remarks>
public static class IncidentLink
{
    /// <summary>The link as text, exactly as it goes into a message.</summary>
    /// <remarks>A query or fragment of <c>APP_BASE_URL</c> is not kept: the link's path must end with the key.</remarks>
    public static string For(Uri appBaseUrl, string incidentKey) =>
        $"{appBaseUrl.GetLeftPart(UriPartial.Path).TrimEnd('/')}/incidents/{Segment(incidentKey)}";

    /// <summary>The key as one path segment: every character but RFC 3986's unreserved ones is escaped.</summary>
    public static string Segment(string incidentKey) => incidentKey switch
    {
        "." => "%2E",
        ".." => "%2E%2E",
        // Lone surrogates (impossible in a PostgreSQL text column) become U+FFFD rather than an exception.
        _ => Uri.EscapeDataString(WellFormed(incidentKey)),
    };

    private static string WellFormed(string text)
    {
        if (!text.Any(char.IsSurrogate))
        {
            return text;
        }
        var sb = new StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            sb.Append(rune.ToString());
        }
        return sb.ToString();
    }
}
