namespace EscalationFunctions.Engine.Endpoints.Answers;

/// <summary>
/// <c>GET /ops/escalation/health</c>. <see cref="TickLagMs"/> is null before any instance completed a
/// tick; the notification counts cover every outgoing Slack message. A superseded message (its
/// incident acknowledged or resolved before its post started, reference §5.6) is neither pending nor dead
/// and does not age <see cref="QueueLagMs"/>; <see cref="SupersededNotifications"/> counts those of the last 24 hours.
/// <see cref="SlackAuthFailing"/> (app mode, reference §10.3) is true while Slack refuses the bot token: every message waits.
/// <see cref="SlackFallbackRoutes"/> names the routes whose own webhook is invalid and whose pages go to the global one (reference §2).
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
    long SupersededNotifications,
    long QuarantinedIncidents,
    double QueueLagMs,
    DateTimeOffset? PausedUntil,
    bool SlackAuthFailing,
    IReadOnlyList<string> SlackFallbackRoutes);
