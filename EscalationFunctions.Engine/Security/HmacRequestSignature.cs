using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace EscalationFunctions.Engine.Security;

/// <summary>
/// The ops request signature (spec §6): <c>X-Signature-Timestamp</c> (unix seconds) and
/// <c>X-Signature: sha256=&lt;hex HMAC-SHA256(secret, "{timestamp}.{raw body bytes}")&gt;</c>.
/// Verification compares in constant time against every configured key (one, or <c>new,old</c>
/// during rotation), always trying all of them, so timing does not reveal which one matched.
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
        if (string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(signature))
        {
            return SignatureCheck.Missing;
        }
        if (timestamp.Length > 12 || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return SignatureCheck.BadTimestamp;
        }
        // Compared as numbers: any 12-digit value is a valid long, not every one is a valid date.
        if (Math.Abs(now.ToUnixTimeSeconds() - seconds) > (long)Tolerance.TotalSeconds)
        {
            return SignatureCheck.StaleTimestamp;
        }
        if (!signature.StartsWith(Prefix, StringComparison.Ordinal) || signature.Length != Prefix.Length + 64 ||
            !TryFromHex(signature.AsSpan(Prefix.Length), out var presented))
        {
            return SignatureCheck.BadFormat;
        }

        var matched = false;
        foreach (var secret in secrets)
        {
            var expected = Mac(Encoding.UTF8.GetBytes(secret), timestamp, body);
            matched |= CryptographicOperations.FixedTimeEquals(expected, presented);
        }
        return matched ? SignatureCheck.Valid : SignatureCheck.Mismatch;
    }

    private static byte[] Mac(byte[] key, string timestamp, ReadOnlySpan<byte> body)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        hmac.AppendData(Encoding.ASCII.GetBytes(timestamp + "."));
        hmac.AppendData(body);
        return hmac.GetHashAndReset();
    }

    private static bool TryFromHex(ReadOnlySpan<char> hex, out byte[] bytes)
    {
        bytes = new byte[hex.Length / 2];
        return Convert.FromHexString(hex, bytes, out _, out var written) == System.Buffers.OperationStatus.Done && written == bytes.Length;
    }
}

public enum SignatureCheck
{
    Valid,
    Missing,
    BadTimestamp,
    StaleTimestamp,
    BadFormat,
    Mismatch,
}
