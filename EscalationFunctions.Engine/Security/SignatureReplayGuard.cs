using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace EscalationFunctions.Engine.Security;

/// <summary>Accepts each valid signature once, on any endpoint and any instance (reference §6).</summary>
public sealed class SignatureReplayGuard(NpgsqlDataSource db)
{
    /// <summary>True the first time a signature is presented; false for a replay.</summary>
    public async Task<bool> TryAcceptAsync(string signature, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(SecuritySql.RememberSignature);
        cmd.Parameters.AddWithValue("signature_hash",
            Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(signature.ToLowerInvariant()))));
        return await cmd.ExecuteNonQueryAsync(ct) == 1;
    }
}
