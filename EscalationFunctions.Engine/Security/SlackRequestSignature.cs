using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace EscalationFunctions.Engine.Security;

/// <summary>
/// Slack's v0 request signature (reference §9, Slack's "Verifying requests from Slack"):
/// <c>X-Slack-Request-Timestamp</c> (unix seconds, within 300 s of the server's clock) and
/// <c>X-Slack-Signature: v0=&lt;hex HMAC-SHA256(signing secret, "v0:{timestamp}:{raw body}")&gt;</c>.
/// Checked by <see cref="TimestampedSignature"/> against every configured secret (one, or
/// <c>new,old</c> during rotation).
/// </summary>
public static class SlackRequestSignature
{
    public const string TimestampHeader = "X-Slack-Request-Timestamp";
    public const string SignatureHeader = "X-Slack-Signature";
    public const string Version = "v0";
    private const string Prefix = Version + "=";

    /// <summary>How far the timestamp may be from the server's clock, either way; an older click is a replay.</summary>
    public static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(300);

    public static string Sign(string secret, long unixSeconds, ReadOnlySpan<byte> body) =>
        Prefix + Convert.ToHexStringLower(Mac(secret, unixSeconds.ToString(CultureInfo.InvariantCulture), body));

    public static SignatureCheck Verify(IReadOnlyList<string> secrets, string? timestamp, string? signature, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        var bytes = body.ToArray();
        return TimestampedSignature.Verify(secrets, timestamp, signature, Prefix, Tolerance, now, (secret, ts) => Mac(secret, ts, bytes));
    }

    private static byte[] Mac(string secret, string timestamp, ReadOnlySpan<byte> body)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret));
        hmac.AppendData(Encoding.ASCII.GetBytes($"{Version}:{timestamp}:"));
        hmac.AppendData(body);
        return hmac.GetHashAndReset();
    }
}
