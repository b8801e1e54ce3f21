namespace EscalationFunctions.Engine.Telemetry;

/// <summary>The custom metric names of reference §7. Dashboards and alert rules depend on them.</summary>
public static class MetricNames
{
    public const string EscalationTickMs = "escalation_tick_ms";
    public const string EscalationsCount = "escalations_count";
    public const string SkippedIdempotent = "skipped_idempotent";
    public const string SlackSendFailures = "slack_send_failures";
    public const string QueueLagMs = "queue_lag_ms";
    public const string TickLagMs = "tick_lag_ms";
    public const string IncidentsLevelGe5 = "incidents_level_ge5";

    /// <summary>(1.1, §3.1) Incidents set aside because escalating them raised a data error; a gauge, like health's quarantinedIncidents.</summary>
    public const string IncidentsQuarantined = "incidents_quarantined";

    /// <summary>(1.1, §5.3) Slack messages dead-lettered after a permanent refusal or too many attempts; a gauge, like health's deadNotifications.</summary>
    public const string DeadNotifications = "dead_notifications";

    public static IReadOnlyList<string> All { get; } =
        [EscalationTickMs, EscalationsCount, SkippedIdempotent, SlackSendFailures, QueueLagMs, TickLagMs, IncidentsLevelGe5,
         IncidentsQuarantined, DeadNotifications];
}
