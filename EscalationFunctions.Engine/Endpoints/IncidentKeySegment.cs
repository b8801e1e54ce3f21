using System.Text;

namespace EscalationFunctions.Engine.Endpoints;

/// <summary>
/// Decodes an incident key from one path segment (spec §6.2): percent-escapes become bytes, and
/// the bytes must be valid UTF-8. A stray <c>%</c>, a broken escape or bytes that are not UTF-8
/// (<c>%FF</c>, <c>%C3%28</c>, overlong forms) do not decode, so such a segment never names an
/// incident, not even one whose key is that literal text (the link writes <c>%</c> as <c>%25</c>).
/// </summary>
public static class IncidentKeySegment
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static bool TryDecode(string segment, out string key)
    {
        key = "";
        if (segment.IndexOf('%') < 0)
        {
            // A request target is ASCII; a raw non-ASCII character is not a URL this worker wrote.
            if (!IsAscii(segment))
            {
                return false;
            }
            key = segment;
            return true;
        }

        var bytes = new List<byte>(segment.Length);
        for (var i = 0; i < segment.Length; i++)
        {
            var c = segment[i];
            if (c != '%')
            {
                if (c > 0x7F)
                {
                    return false;
                }
                bytes.Add((byte)c);
                continue;
            }
            if (i + 2 >= segment.Length || !IsHex(segment[i + 1]) || !IsHex(segment[i + 2]))
            {
                return false;
            }
            bytes.Add(Convert.ToByte(segment.Substring(i + 1, 2), 16));
            i += 2;
        }
        try
        {
            key = StrictUtf8.GetString(bytes.ToArray());
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);

    private static bool IsAscii(string text)
    {
        foreach (var c in text)
        {
            if (c > 0x7F)
            {
                return false;
            }
        }
        return true;
    }
}
