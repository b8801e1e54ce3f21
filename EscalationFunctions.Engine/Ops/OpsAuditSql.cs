namespace EscalationFunctions.Engine.Ops;

/// <summary>SQL behind <see cref="OpsAuditLog"/>: one row per ops call in <c>ops_audit</c>.</summary>
internal static class OpsAuditSql
{
    /// <summary>A finished call in one statement: refusals and health.</summary>
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

    public const string Complete =
        """
        UPDATE ops_audit
        SET outcome = @outcome, http_status = @http_status, duration_ms = @duration_ms, details = @details::jsonb
        WHERE id = @id
        """;
}
