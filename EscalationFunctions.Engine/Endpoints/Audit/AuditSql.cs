namespace EscalationFunctions.Engine.Endpoints.Audit;

/// <summary>SQL behind <see cref="AuditLog"/>: one row per call in <c>ops_audit</c>.</summary>
internal static class AuditSql
{
    /// <summary>A finished call in one statement: refusals, and the routes that change nothing.</summary>
    public const string Record =
        """
        INSERT INTO ops_audit (instance_id, caller, endpoint, outcome, http_status, remote_addr, duration_ms, details)
        VALUES (@instance_id, @caller, @endpoint, @outcome, @http_status, @remote_addr, @duration_ms, @details::jsonb)
        """;

    /// <summary>
    /// A call about to change something, written before it runs (outcome 'started', no status yet):
    /// a call whose row cannot be written is refused, and one that never finishes still shows.
    /// </summary>
    public const string Begin =
        """
        INSERT INTO ops_audit (instance_id, caller, endpoint, outcome, http_status, remote_addr, duration_ms)
        VALUES (@instance_id, @caller, @endpoint, 'started', NULL, @remote_addr, @duration_ms)
        RETURNING id
        """;

    /// <summary>The caller too: a Slack click's user is known only once its payload is read.</summary>
    public const string Complete =
        """
        UPDATE ops_audit
        SET caller = @caller, outcome = @outcome, http_status = @http_status, duration_ms = @duration_ms, details = @details::jsonb
        WHERE id = @id
        """;
}
