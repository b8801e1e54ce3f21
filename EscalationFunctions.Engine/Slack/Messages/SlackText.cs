using System.Text;

namespace EscalationFunctions.Engine.Slack.Messages;

/// <summary>
/// Text placed in a Slack message, cut to a Block Kit limit. Slack refuses a whole message when one
/// text is too long, so text is shortened with an ellipsis instead, never split inside a surrogate
/// pair or an escape, and lone surrogates (which no JSON reader accepts) become U+FFFD.
/// Lengths are UTF-16 code units: never less than Slack's character count, so a fitted text fits.
/// </summary>
public static class SlackText
{
    public const string Ellipsis = "…";

    /// <summary>For <c>mrkdwn</c> and <c>text</c>: <c>&amp;</c>, <c>&lt;</c>, <c>&gt;</c> escaped, so a title
    /// can never form a link or a mention such as <c>&lt;!channel&gt;</c>.</summary>
    public static string Mrkdwn(string? raw, int max) => Fit(raw, max, escape: true);

    /// <summary>For <c>plain_text</c> (headers, button labels): shown as is, only cut.</summary>
    public static string Plain(string? raw, int max) => Fit(raw, max, escape: false);

    /// <summary>Cuts text that is already Slack-formatted (escaped pieces and mentions) to <paramref name="max"/>.</summary>
    public static string Cut(string formatted, int max)
    {
        var cut = Fit(formatted, max, escape: false);
        if (cut.Length == formatted.Length || !cut.EndsWith(Ellipsis, StringComparison.Ordinal))
        {
            return cut;
        }
        // Never end on half an escape ("&am…"): drop the partial entity before the ellipsis.
        var kept = cut[..^Ellipsis.Length];
        var amp = kept.LastIndexOf('&');
        return amp >= 0 && amp >= kept.Length - 4 && kept.IndexOf(';', amp) < 0 ? kept[..amp] + Ellipsis : cut;
    }

    private static string Fit(string? raw, int max, bool escape)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, Ellipsis.Length);
        var text = new StringBuilder(Math.Min((raw ?? "").Length, max) + 8);
        var fitsWithEllipsis = 0;
        foreach (var rune in (raw ?? "").EnumerateRunes())
        {
            var piece = escape ? rune.Value switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                _ => null,
            } : null;
            var length = piece?.Length ?? rune.Utf16SequenceLength;
            if (text.Length + length > max)
            {
                return text.ToString(0, fitsWithEllipsis) + Ellipsis;
            }
            if (piece is null)
            {
                text.Append(rune.ToString());
            }
            else
            {
                text.Append(piece);
            }
            if (text.Length <= max - Ellipsis.Length)
            {
                fitsWithEllipsis = text.Length;
            }
        }
        return text.ToString();
    }
}
