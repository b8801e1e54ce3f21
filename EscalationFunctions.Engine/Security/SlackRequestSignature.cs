using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace EscalationFunctions.Engine.Security;

/// <summary>
/// Slack's v0 request signature (spec §9, Slack's "Verifying requests from Slack"):
/// <c>X-Slack-Request-Timestamp</c> (unix seconds, within 300 s of the server's clock) and
/// <c>X-Slack-Signature: v0=&lt;hex HMAC-SHA256(signing secret, "v0:{timestamp}:{raw body}")&gt;</c>.
/// Compared in constant time against every configured secret (one, or <c>new,old</c> during
/// rotation), always all of them, so timing does not tell which one matched.
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
        if (string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(signature))
        {
            return SignatureCheck.Missing;
        }
        if (timestamp.Length > 12 || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return SignatureCheck.BadTimestamp;
        }
        var age = now - DateTimeOffset.FromUnixTimeSeconds(seconds);
        if (age > Tolerance || age < -Tolerance)
        {
            return SignatureCheck.StaleTimestamp;
        }
        if (!signature.StartsWith(Prefix, StringComparison.Ordinal) || signature.Length != Prefix.Length + 64)
        {
            return SignatureCheck.BadFormat;
        }
        var presented = new byte[32];
        if (Convert.FromHexString(signature.AsSpan(Prefix.Length), presented, out _, out var written) != System.Buffers.OperationStatus.Done ||
            written != presented.Length)
        {
            return SignatureCheck.BadFormat;
        }

        var matched = false;
        foreach (var secret in secrets)
        {
            matched |= CryptographicOperations.FixedTimeEquals(Mac(secret, timestamp, body), presented);
        }
        return matched ? SignatureCheck.Valid : SignatureCheck.Mismatch;
    }

    private static byte[] Mac(string secret, string timestamp, ReadOnlySpan<byte> body)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret));
        hmac.AppendData(Encoding.ASCII.GetBytes($"{Version}:{timestamp}:"));
        hmac.AppendData(body);
        return hmac.GetHashAndReset();
    }
}
