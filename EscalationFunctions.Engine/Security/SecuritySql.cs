namespace EscalationFunctions.Engine.Security;

/// <summary>SQL behind replay protection and rate limiting; both live in the database so all instances share them.</summary>
internal static class SecuritySql
{
    /// <summary>Records a signature; no row affected means it was seen before. Prunes entries past any valid timestamp.</summary>
    public const string RememberSignature =
        """
        WITH pruned AS (
            DELETE FROM ops_signatures_seen WHERE seen_at < now() - interval '15 minutes'
        )
        INSERT INTO ops_signatures_seen (signature_hash) VALUES (@signature_hash)
        ON CONFLICT (signature_hash) DO NOTHING
        """;

    public const string TakeRateLimit = "SELECT ops_rate_limit_take(@caller, @endpoint, @limit, make_interval(secs => @window_seconds))";
}
