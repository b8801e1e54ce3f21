namespace EscalationFunctions.Engine.Acknowledge;

/// <summary>The SQL of acknowledging an incident (reference §6.2, §9).</summary>
internal static class AcknowledgeSql
{
    /// <summary>
    /// Acknowledges the incident when it is still unacknowledged, in one statement. The row lock
    /// makes two clicks at once safe: the second waits, then reads the first one's acknowledgement
    /// (READ COMMITTED re-reads a locked row) and changes nothing. No row: the key is unknown.
    /// The trigger on <c>incidents</c> then sets <c>next_due_at</c> to NULL, which ends escalation.
    /// </summary>
    public const string Acknowledge =
        """
        WITH target AS (
            SELECT incident_key, acknowledged_at, acknowledged_by, route, severity, title, escalation_level
            FROM incidents
            WHERE incident_key = @incident_key
            FOR UPDATE
        ), acknowledged AS (
            UPDATE incidents i
            SET acknowledged_at = now(), acknowledged_by = @acknowledged_by
            FROM target t
            WHERE i.incident_key = t.incident_key AND t.acknowledged_at IS NULL
            RETURNING i.acknowledged_at, i.acknowledged_by
        )
        SELECT t.incident_key,
               coalesce(a.acknowledged_at, t.acknowledged_at) AS acknowledged_at,
               CASE WHEN a.acknowledged_at IS NULL THEN t.acknowledged_by ELSE a.acknowledged_by END AS acknowledged_by,
               a.acknowledged_at IS NULL AS already_acknowledged,
               t.route, t.severity, t.title, t.escalation_level
        FROM target t LEFT JOIN acknowledged a ON true
        """;
}
