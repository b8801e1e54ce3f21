using System.Text;

namespace EscalationFunctions.Engine.Untrusted;

/// <summary>
/// Strict percent-decoding of text a caller sent (a path segment, a form field): escapes become
/// bytes, and the bytes must be valid UTF-8. A stray <c>%</c>, a broken escape, a raw non-ASCII
/// character or bytes that are not UTF-8 (<c>%FF</c>, <c>%C3%28</c>, overlong forms) do not decode:
/// unlike <see cref="Uri.UnescapeDataString(string)"/> or <see cref="System.Net.WebUtility.UrlDecode(string)"/>,
/// nothing is left as it was or replaced with U+FFFD, so bad input never names something else.
/// </summary>
public static class PercentEncoding
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <param name="plusIsSpace">Form encoding (<c>application/x-www-form-urlencoded</c>): <c>+</c> is a space.</param>
    public static bool TryDecodeUtf8(ReadOnlySpan<char> encoded, bool plusIsSpace, out string decoded)
    {
        decoded = "";
        var bytes = new byte[encoded.Length];
        var count = 0;
        for (var i = 0; i < encoded.Length; i++)
        {
            var c = encoded[i];
            if (c == '%')
            {
                if (i + 2 >= encoded.Length || !char.IsAsciiHexDigit(encoded[i + 1]) || !char.IsAsciiHexDigit(encoded[i + 2]))
                {
                    return false;
                }
                bytes[count++] = (byte)((HexValue(encoded[i + 1]) << 4) | HexValue(encoded[i + 2]));
                i += 2;
            }
            else if (c > 0x7F)
            {
                return false; // a request target or form body is ASCII; anything else was not encoded by a client that meant it
            }
            else
            {
                bytes[count++] = (byte)(plusIsSpace && c == '+' ? ' ' : c);
            }
        }
        try
        {
            decoded = StrictUtf8.GetString(bytes, 0, count);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
