namespace EscalationFunctions.Engine.Status;

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
    /// resolved before their post started (reference §5.6), so they are neither pending nor dead.
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
    /// Incidents set aside as poison rows (reference §3.1), the latest first, with the error that did it
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

    /// <summary>
    /// The instances that completed a tick in the last hour, the latest first, with the gates their
    /// last tick ran under (<c>last_result</c>): on Flex Consumption instances come and go, and one that
    /// has not ticked for an hour is gone (<see cref="OlderInstanceCount"/> counts them).
    /// </summary>
    public const string InstanceTicks =
        """
        SELECT instance_id, last_completed_at, last_result ->> 'outcome',
               (last_result ->> 'canaryPct')::int, last_result ->> 'pausedUntil'
        FROM escalation_ticks
        WHERE last_completed_at >= now() - interval '1 hour'
        ORDER BY last_completed_at DESC, instance_id
        """;

    public const string OlderInstanceCount =
        "SELECT count(*) FROM escalation_ticks WHERE last_completed_at < now() - interval '1 hour'";

    /// <summary>
    /// Open incidents whose escalation is due (ix_inc_due), the longest overdue first, each with the
    /// reason the last tick of any instance did not page it: the gates that tick ran under
    /// (<c>last_result</c>), the canary it left out, quarantine, snooze, the top level; or that no tick
    /// has run since it came due (the next one pages it).
    /// </summary>
    public const string OverdueIncidents =
        """
        WITH latest AS (
            SELECT last_result, last_completed_at FROM escalation_ticks ORDER BY last_completed_at DESC LIMIT 1
        )
        SELECT i.incident_key, i.route, i.escalation_level, i.next_due_at,
               CASE
                   WHEN i.quarantined_at IS NOT NULL THEN 'quarantined as a poison row (runbook section 7)'
                   WHEN i.escalation_level >= s.max_level THEN 'at MAX_ESC_LEVEL ' || s.max_level
                   WHEN i.last_escalated_at > now() - make_interval(mins => s.snooze_min)
                       THEN 'snoozed until ' || to_char((i.last_escalated_at + make_interval(mins => s.snooze_min)) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC (ESC_SNOOZE_MIN ' || s.snooze_min || ')'
                   WHEN l.last_result IS NULL THEN 'no instance has completed a tick yet'
                   WHEN l.last_completed_at < i.next_due_at THEN 'due since the last tick: the next one pages it'
                   WHEN l.last_result ->> 'outcome' = 'paused' THEN 'paused until ' || coalesce(l.last_result ->> 'pausedUntil', '?') || ' (ESC_PAUSE_CRON)'
                   WHEN l.last_result ->> 'outcome' = 'v1Off' THEN 'escalation is off (ESCALATION_V1=false)'
                   WHEN (l.last_result ->> 'dryRun')::boolean THEN 'dry run: reported, not paged (ESC_DRY_RUN=true)'
                   WHEN (l.last_result ->> 'canaryPct')::int < 100 AND escalation_canary_bucket(i.route) >= (l.last_result ->> 'canaryPct')::int
                       THEN 'route outside the canary (ESC_CANARY_PCT ' || (l.last_result ->> 'canaryPct') || ')'
                   ELSE 'the last tick did not reach it (a batch limit, or it came due during that tick): the next one pages it'
               END
        FROM incidents i
        CROSS JOIN escalation_sla s
        LEFT JOIN latest l ON true
        WHERE i.acknowledged_at IS NULL AND i.resolved_at IS NULL AND i.next_due_at <= now() AND s.id = 1
        ORDER BY i.next_due_at, i.incident_key
        LIMIT @limit
        """;

    public const string OverdueIncidentCount =
        "SELECT count(*) FROM incidents WHERE acknowledged_at IS NULL AND resolved_at IS NULL AND next_due_at <= now()";

    /// <summary>Pending messages whose last post failed, the oldest first, with the error (ix_outbox_pending).</summary>
    public const string FailingMessages =
        """
        SELECT created_at, kind, incident_key, level, route, attempts, next_attempt_at, last_error
        FROM notification_outbox
        WHERE status = 'pending' AND last_error IS NOT NULL
        ORDER BY created_at, id
        LIMIT @limit
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
