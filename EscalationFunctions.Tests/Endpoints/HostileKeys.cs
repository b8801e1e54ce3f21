using System.Text.Encodings.Web;
using System.Text.Json;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Support;

namespace EscalationFunctions.Tests.Endpoints;

/// <summary>
/// Incident keys that are hard to carry through a URL or a JSON body (reference §6.2, §9), shared by the
/// fuzz and the focused tests: the keys valid calls must reach, and decoys that only a wrong decoding
/// of an invalid call would reach.
/// </summary>
public static class HostileKeys
{
    /// <summary>Named on the plain server by the segment <c>%2E</c>: the server routes on the raw target, so it is no dot segment.</summary>
    public const string Dot = ".";

    /// <summary>Named by <c>%2E%2E</c>.</summary>
    public const string DotDot = "..";

    /// <summary>
    /// 1,000 × U+1F600: exactly the 1,000 characters migration 0004's trigger allows, which counts with
    /// <c>char_length</c>, i.e. code points (2,000 UTF-16 chars, 4,000 UTF-8 bytes). Percent-encoded it
    /// is 12,000 bytes, more than Kestrel's 8 KiB request line: only the body form and Slack reach it.
    /// </summary>
    public static readonly string FourByteLong = string.Concat(Enumerable.Repeat("\U0001F600", 1000));

    /// <summary>100 characters of four UTF-8 bytes each (emoji, musical and Gothic letters): 1,200 bytes as a path segment.</summary>
    public static readonly string FourByteShort = string.Concat(Enumerable.Repeat("\U0001F600\U0001D11E\U00010348\U0001F6A8", 25));

    /// <summary>A '/' (one segment only as <c>%2F</c>) and a space.</summary>
    public const string Slash = "payments/INC 7";

    /// <summary>CR LF: logged as it is, it would start a line of the caller's choosing.</summary>
    public const string CrLf = "crlf\r\nINJECTED fake log line";

    /// <summary>U+2028, a line break to some log viewers.</summary>
    public const string LineSeparator = "ls\u2028FAKE-LOG-LINE";

    /// <summary>An ANSI escape sequence.</summary>
    public const string Escape = "esc\u001b[31mred";

    /// <summary>Keys valid calls name, all of them seeded.</summary>
    public static readonly string[] Special = [Dot, DotDot, FourByteLong, FourByteShort, Slash, CrLf, LineSeparator, Escape];

    /// <summary>
    /// Seeded, but no valid call names them: the literal text of the invalid segments <c>%FF</c>,
    /// <c>%C3%28</c>, <c>%E2%82</c>, <c>%G1</c>, <c>%C0%AE</c> (what a decoder that leaves invalid
    /// escapes alone would look up), and what a lenient UTF-8 decoder turns them into (U+FFFD).
    /// </summary>
    public static readonly string[] Decoys = ["%FF", "%C3%28", "%E2%82", "%G1", "%C0%AE", "\uFFFD", "\uFFFD(", "\uFFFD\uFFFD"];

    /// <summary>The key as one path segment, percent-encoded; '.' and '..' as <c>%2E</c> so they are no dot segments.</summary>
    public static string Segment(string key) => key is Dot or DotDot ? key.Replace(".", "%2E") : Uri.EscapeDataString(key);

    /// <summary>The key as a JSON string: every non-ASCII character escaped (<c>\uD83D\uDE00</c>) or, relaxed, as raw UTF-8.</summary>
    public static string Json(string key, bool relaxed = false) =>
        JsonSerializer.Serialize(key, relaxed ? RelaxedJson : JsonSerializerOptions.Default);

    private static readonly JsonSerializerOptions RelaxedJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Inserts <paramref name="keys"/> as fresh incidents, nowhere near due (the tests never tick).</summary>
    public static async Task InsertAsync(TestDatabase db, IEnumerable<string> keys)
    {
        foreach (var key in keys)
        {
            await Incidents.InsertAsync(db, key, "payments", "warning", TimeSpan.FromMinutes(1), title: "hostile key");
        }
    }

    /// <summary>A key with its control characters, separators and surrogates visible, for failure messages.</summary>
    public static string Show(string? key) => key is null ? "(none)"
        : key.Length > 60 ? $"{Security(key[..60])}… ({key.Length} UTF-16 chars)" : Security(key);

    private static string Security(string text) => EscalationFunctions.Engine.Untrusted.UntrustedText.Escape(text, 400);
}
