using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace EscalationFunctions.Engine.Security;

/// <summary>
/// The ops request signature (reference §6): <c>X-Signature-Timestamp</c> (unix seconds) and
/// <c>X-Signature: sha256=&lt;hex HMAC-SHA256(secret, "{timestamp}.{raw body bytes}")&gt;</c>.
/// Verification (<see cref="TimestampedSignature"/>) compares in constant time against every
/// configured key (one, or <c>new,old</c> during rotation).
/// </summary>
public static class HmacRequestSignature
{
    public const string TimestampHeader = "X-Signature-Timestamp";
    public const string SignatureHeader = "X-Signature";
    public const string Prefix = "sha256=";

    /// <summary>How far the timestamp may be from the server's clock, either way.</summary>
    public static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(300);

    public static string Sign(string secret, long unixSeconds, ReadOnlySpan<byte> body) =>
        Prefix + Convert.ToHexStringLower(Mac(Encoding.UTF8.GetBytes(secret), unixSeconds.ToString(CultureInfo.InvariantCulture), body));

    public static SignatureCheck Verify(IReadOnlyList<string> secrets, string? timestamp, string? signature, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        var bytes = body.ToArray();
        return TimestampedSignature.Verify(secrets, timestamp, signature, Prefix, Tolerance, now,
            (secret, ts) => Mac(Encoding.UTF8.GetBytes(secret), ts, bytes));
    }

    private static byte[] Mac(byte[] key, string timestamp, ReadOnlySpan<byte> body)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        hmac.AppendData(Encoding.ASCII.GetBytes(timestamp + "."));
        hmac.AppendData(body);
        return hmac.GetHashAndReset();
    }
}
