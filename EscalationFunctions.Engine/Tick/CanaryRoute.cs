using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace EscalationFunctions.Engine.Tick;

/// <summary>
/// The canary formula of reference §4.4 in C#: <c>parseInt(md5hex(route)[0..8], 16) % 100</c>. The tick
/// evaluates it in SQL (<c>escalation_canary_bucket</c>); tests check that both agree.
/// </summary>
public static class CanaryRoute
{
    [SuppressMessage("Security", "CA5351:Do not use broken cryptographic algorithms",
        Justification = "Not security: the contract defines the canary bucket as md5(route), the same in SQL and here.")]
    public static int Bucket(string route)
    {
        Span<byte> digest = stackalloc byte[MD5.HashSizeInBytes];
        MD5.HashData(Encoding.UTF8.GetBytes(route), digest);
        // The first 8 hex digits are the first 4 bytes, read big-endian as an unsigned 32-bit number.
        return (int)(BinaryPrimitives.ReadUInt32BigEndian(digest) % 100);
    }

    public static bool IsInCanary(string route, int canaryPercent) => canaryPercent >= 100 || Bucket(route) < canaryPercent;
}
