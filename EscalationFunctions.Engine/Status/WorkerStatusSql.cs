namespace EscalationFunctions.Engine.Status;

/// <summary>SQL behind <see cref="WorkerStatusReader"/>.</summary>
internal static class WorkerStatusSql
{
    /// <summary>
    /// The whole status in one round trip. Every part is served by an index or a tiny table
    /// (escalation_ticks has a row per instance), so health checks never scan incidents. Superseded
    /// messages (reference §5.6) are neither pending nor dead; they are counted over the last
    /// <c>@superseded_hours</c> (<see cref="SupersededWindowHours"/>, ix_outbox_superseded), as they pile up by design.
    /// </summary>
    public const string Read =
        """
        SELECT now(),
               (SELECT max(last_completed_at) FROM escalation_ticks),
               (SELECT count(*) FROM notification_outbox WHERE status = 'pending'),
               (SELECT count(*) FROM notification_outbox WHERE status = 'dead'),
               (SELECT min(created_at) FROM notification_outbox WHERE status = 'pending'),
               (SELECT count(*) FROM incidents
                WHERE acknowledged_at IS NULL AND resolved_at IS NULL AND escalation_level >= 5),
               (SELECT count(*) FROM incidents WHERE quarantined_at IS NOT NULL),
               (SELECT count(*) FROM notification_outbox
                WHERE status = 'superseded' AND superseded_at > now() - make_interval(hours => @superseded_hours)),
               coalesce((SELECT auth_failing_since IS NOT NULL FROM slack_app_state WHERE id = 1), false)
        """;

    /// <summary>The window of health's <c>supersededNotifications</c>.</summary>
    public const int SupersededWindowHours = 24;
}
