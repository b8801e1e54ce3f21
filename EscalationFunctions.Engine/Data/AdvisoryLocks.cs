namespace EscalationFunctions.Engine.Data;

/// <summary>
/// Every PostgreSQL advisory lock the application takes, so that no two purposes share a key. The
/// session locks use fixed keys (ASCII of a short name). <c>ops_rate_limit_take</c> (migration 0002)
/// also takes transaction locks keyed by <c>hashtextextended(caller || '|' || endpoint, 7)</c>: a
/// hash over all 64-bit values, which meets one of these keys only by a 1-in-2^63 chance.
/// </summary>
internal static class AdvisoryLocks
{
    /// <summary>Serialises instances applying migrations at start-up.</summary>
    public const long Migrations = 0x45_53_43_4D_49_47_52_41; // "ESCMIGRA"

    /// <summary>One SLA recalculation at a time, across instances.</summary>
    public const long SlaRecalc = 0x45_53_43_52_45_43_41_4C; // "ESCRECAL"

    public const string Lock = "SELECT pg_advisory_lock(@key)";
    public const string TryLock = "SELECT pg_try_advisory_lock(@key)";
    public const string Unlock = "SELECT pg_advisory_unlock(@key)";
}
