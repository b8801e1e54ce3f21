using EscalationFunctions.Engine.Untrusted;
using Npgsql;

namespace EscalationFunctions.Engine.Tick;

/// <summary>Which database errors come from a row's data (and so quarantine it, reference §3.1), and how they are recorded.</summary>
internal static class PoisonRows
{
    private const int MaxErrorLength = 500;

    /// <summary>
    /// SQLSTATE classes 22 (data exception), 23 (integrity constraint violation) and 54 (program
    /// limit exceeded: an index row too large for a key). Connection, lock, cancellation and
    /// syntax errors are not the row's fault: they fail the tick, and the next tick tries again.
    /// </summary>
    public static bool IsDataError(PostgresException e) =>
        e.SqlState.StartsWith("22", StringComparison.Ordinal) ||
        e.SqlState.StartsWith("23", StringComparison.Ordinal) ||
        e.SqlState.StartsWith("54", StringComparison.Ordinal);

    /// <summary>SQLSTATE and message only: the server's detail line can quote the row's values.</summary>
    public static string Describe(PostgresException e) => UntrustedText.Escape($"{e.SqlState}: {e.MessageText}", MaxErrorLength);
}
