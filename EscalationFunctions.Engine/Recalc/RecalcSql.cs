namespace EscalationFunctions.Engine.Recalc;

/// <summary>SQL that keeps <c>escalation_sla</c> in line with the settings and recomputes <c>next_due_at</c>.</summary>
internal static class RecalcSql
{
    /// <summary>Copies the settings into <c>escalation_sla</c>; bumps the version only when something changed.</summary>
    public const string SyncSettings =
        """
        UPDATE escalation_sla
        SET crit_ack_min = @crit, warn_ack_min = @warn, snooze_min = @snooze, max_level = @max_level,
            version = version + 1, updated_at = now()
        WHERE id = 1
          AND (crit_ack_min, warn_ack_min, snooze_min, max_level) IS DISTINCT FROM (@crit, @warn, @snooze, @max_level)
        """;

    public const string ReadVersions = "SELECT version, recalculated_version FROM escalation_sla WHERE id = 1";

    /// <summary>
    /// One keyset page of open incidents (ids after <c>@after_id</c>): rewrites next_due_at where the
    /// current SLA gives a different value. Returns (last id of the page, rows in the page, rows changed).
    /// Its own short transaction, so ticks keep running; rows a tick holds are waited for, never skipped.
    /// </summary>
    public const string RecalcPage =
        """
        WITH page AS (
            SELECT id FROM incidents
            -- quarantined rows wait for their update, whose trigger recomputes next_due_at anyway
            WHERE acknowledged_at IS NULL AND quarantined_at IS NULL AND id > @after_id
            ORDER BY id
            LIMIT @batch_size
        ),
        changed AS (
            UPDATE incidents i
            SET next_due_at = escalation_next_due(i.severity, i.first_seen, i.escalation_level,
                                                  i.last_escalated_at, i.acknowledged_at, i.resolved_at)
            FROM page
            WHERE i.id = page.id
              AND i.next_due_at IS DISTINCT FROM escalation_next_due(i.severity, i.first_seen, i.escalation_level,
                                                                     i.last_escalated_at, i.acknowledged_at, i.resolved_at)
            RETURNING i.id
        )
        SELECT (SELECT max(id) FROM page), (SELECT count(*) FROM page), (SELECT count(*) FROM changed)
        """;

    public const string MarkRecalculated =
        "UPDATE escalation_sla SET recalculated_version = greatest(recalculated_version, @version) WHERE id = 1";
}
