using System.Globalization;
using System.Security.Cryptography;

namespace EscalationFunctions.Engine.Security;

/// <summary>
/// What the ops signature (§6) and Slack's (§9) share: a unix-seconds timestamp within a window of
/// the server's clock, a prefixed hex HMAC-SHA256, and a constant-time comparison against every
/// configured secret (always all of them, so timing does not tell which one matched).
/// </summary>
internal static class TimestampedSignature
{
    private const int MacHexLength = 64;

    /// <param name="mac">The expected MAC for a secret and the timestamp as sent.</param>
    public static SignatureCheck Verify(IReadOnlyList<string> secrets, string? timestamp, string? signature, string prefix, TimeSpan tolerance,
        DateTimeOffset now, Func<string, string, byte[]> mac)
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
        if (Math.Abs(now.ToUnixTimeSeconds() - seconds) > (long)tolerance.TotalSeconds)
        {
            return SignatureCheck.StaleTimestamp;
        }
        var presented = new byte[MacHexLength / 2];
        if (!signature.StartsWith(prefix, StringComparison.Ordinal) || signature.Length != prefix.Length + MacHexLength ||
            Convert.FromHexString(signature.AsSpan(prefix.Length), presented, out _, out var written) != System.Buffers.OperationStatus.Done ||
            written != presented.Length)
        {
            return SignatureCheck.BadFormat;
        }

        var matched = false;
        foreach (var secret in secrets)
        {
            matched |= CryptographicOperations.FixedTimeEquals(mac(secret, timestamp), presented);
        }
        return matched ? SignatureCheck.Valid : SignatureCheck.Mismatch;
    }
}
