namespace EscalationFunctions.Engine.Escalation;

/// <summary>
/// The queries behind the <c>status</c> command (<see cref="StatusReportReader"/>): what is open, what
/// escalated lately, what waits for Slack, when each instance last ticked. Each list is bounded by
/// <c>@limit</c> and has a count beside it, so a large table costs an index scan, not a full read.
/// </summary>
internal static class StatusReportSql
{
    /// <summary>Open incidents, the next to escalate first (ix_inc_due); those at the top level (no next_due_at) last.</summary>
    public const string OpenIncidents =
        """
        SELECT incident_key, route, severity, title, escalation_level, next_due_at, first_seen
        FROM incidents
        WHERE acknowledged_at IS NULL AND resolved_at IS NULL
        ORDER BY next_due_at NULLS LAST, first_seen, incident_key
        LIMIT @limit
        """;

    /// <summary>Served by the partial index ix_inc_open_level.</summary>
    public const string OpenIncidentCount =
        "SELECT count(*) FROM incidents WHERE acknowledged_at IS NULL AND resolved_at IS NULL";

    /// <summary>
    /// Escalations recorded in the last <c>@hours</c>, newest first (ix_events_created), with their
    /// incident's route and severity and what became of the Slack message (one per incident and level).
    /// </summary>
    public const string RecentEscalations =
        """
        SELECT e.created_at, e.incident_key, e.level, i.route, i.severity, o.status
        FROM escalation_events e
        LEFT JOIN incidents i ON i.incident_key = e.incident_key
        LEFT JOIN notification_outbox o ON o.incident_key = e.incident_key AND o.level = e.level
        WHERE e.created_at >= now() - make_interval(hours => @hours)
        ORDER BY e.created_at DESC, e.id DESC
        LIMIT @limit
        """;

    public const string RecentEscalationCount =
        "SELECT count(*) FROM escalation_events WHERE created_at >= now() - make_interval(hours => @hours)";

    /// <summary>
    /// Pending and dead Slack messages of every kind (partial indexes ix_outbox_pending, ix_outbox_dead), and those
    /// superseded in the last <c>@hours</c> (ix_outbox_superseded): their incident was acknowledged or
    /// resolved before their post started (spec §5.6), so they are neither pending nor dead.
    /// </summary>
    public const string MessageCounts =
        """
        SELECT (SELECT count(*) FROM notification_outbox WHERE status = 'pending'),
               (SELECT min(created_at) FROM notification_outbox WHERE status = 'pending'),
               (SELECT count(*) FROM notification_outbox WHERE status = 'dead'),
               (SELECT count(*) FROM notification_outbox
                WHERE status = 'superseded' AND superseded_at >= now() - make_interval(hours => @hours))
        """;

    /// <summary>
    /// Incidents set aside as poison rows (spec §3.1), the latest first, with the error that did it
    /// (the partial index ix_inc_quarantined). An UPDATE of the row lifts the quarantine.
    /// </summary>
    public const string QuarantinedIncidents =
        """
        SELECT quarantined_at, incident_key, route, escalation_level, quarantine_error
        FROM incidents
        WHERE quarantined_at IS NOT NULL
        ORDER BY quarantined_at DESC, id DESC
        LIMIT @limit
        """;

    public const string QuarantinedIncidentCount =
        "SELECT count(*) FROM incidents WHERE quarantined_at IS NOT NULL";

    /// <summary>Dead-lettered messages, newest first, with Slack's last answer.</summary>
    public const string DeadMessages =
        """
        SELECT created_at, kind, incident_key, level, route, attempts, last_error
        FROM notification_outbox
        WHERE status = 'dead'
        ORDER BY created_at DESC, id DESC
        LIMIT @limit
        """;

    /// <summary>One row per instance that ever completed a tick, the latest first.</summary>
    public const string InstanceTicks =
        """
        SELECT instance_id, last_completed_at, last_result ->> 'outcome'
        FROM escalation_ticks
        ORDER BY last_completed_at DESC, instance_id
        """;

    /// <summary>One incident by key (the unique index on incident_key), for the plain server's incident link.</summary>
    public const string Incident =
        """
        SELECT incident_key, route, severity, title, escalation_level, first_seen, next_due_at,
               last_escalated_at, acknowledged_at, resolved_at
        FROM incidents
        WHERE incident_key = @key
        """;

    /// <summary>Every escalation of one incident (ix_events_incident) with its Slack message's state.</summary>
    public const string IncidentEscalations =
        """
        SELECT e.level, e.created_at, o.status, o.last_error
        FROM escalation_events e
        LEFT JOIN notification_outbox o ON o.incident_key = e.incident_key AND o.level = e.level
        WHERE e.incident_key = @key
        ORDER BY e.level, e.created_at
        """;
}
