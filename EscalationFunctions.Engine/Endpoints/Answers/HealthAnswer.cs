namespace EscalationFunctions.Engine.Endpoints.Answers;

/// <summary>
/// <c>GET /ops/escalation/health</c>. <see cref="TickLagMs"/> is null before any instance completed a
/// tick; the notification counts cover every outgoing Slack message.
/// </summary>
public sealed record HealthAnswer(
    bool Enabled,
    bool V1,
    int CanaryPct,
    double? TickLagMs,
    bool DryRun,
    bool Paused,
    DateTimeOffset? LastTickAt,
    long PendingNotifications,
    long DeadNotifications,
    long QuarantinedIncidents,
    double QueueLagMs,
    DateTimeOffset? PausedUntil);
