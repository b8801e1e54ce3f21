using System.Globalization;
using System.Text;

namespace EscalationFunctions.Engine.Untrusted;

/// <summary>
/// Makes text a caller or another system controls safe to log and to store (reference §6.1): control
/// characters (C0 including NUL, DEL, C1), the Unicode line and paragraph separators, bidirectional
/// controls and unpaired surrogates become <c>\uXXXX</c>, so such text cannot start a new log line, and PostgreSQL, which
/// refuses NUL in <c>text</c>, can store it. Long text is cut with an ellipsis.
/// </summary>
public static class UntrustedText
{
    public const int DefaultMaxLength = 200;

    public static string Escape(string? text, int maxLength = DefaultMaxLength)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? "";
        }
        if (!NeedsEscaping(text) && text.Length <= maxLength)
        {
            return text; // the common case allocates nothing
        }

        var escaped = new StringBuilder(Math.Min(text.Length, maxLength) + 8);
        var i = 0;
        for (; i < text.Length && escaped.Length < maxLength; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                escaped.Append(c).Append(text[++i]);
            }
            else if (IsUnsafe(c))
            {
                escaped.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                escaped.Append(c);
            }
        }
        return i < text.Length || escaped.Length > maxLength ? Cut(escaped, maxLength) : escaped.ToString();
    }

    private static string Cut(StringBuilder escaped, int maxLength)
    {
        var length = Math.Min(escaped.Length, maxLength - 1);
        if (length > 0 && char.IsHighSurrogate(escaped[length - 1]))
        {
            length--;
        }
        return escaped.ToString(0, length) + "…";
    }

    private static bool NeedsEscaping(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (IsUnsafe(c))
            {
                return true;
            }
        }
        return false;
    }

    // Bidi controls (U+061C, U+200E-200F, U+202A-202E, U+2066-2069) can make a line read as other text than it holds.
    private static bool IsUnsafe(char c) =>
        char.IsControl(c) || c is '\u2028' or '\u2029' or '\u061c' or '\u200e' or '\u200f' or (>= '\u202a' and <= '\u202e') or (>= '\u2066' and <= '\u2069') ||
        char.IsSurrogate(c);
}
