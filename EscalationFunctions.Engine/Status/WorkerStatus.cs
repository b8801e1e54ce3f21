namespace EscalationFunctions.Engine.Status;

/// <summary>The worker's state as the database sees it: for the health endpoint and the gauges.</summary>
/// <param name="SlackAuthFailing">App mode (reference §10.3): Slack refuses the bot token since the last post that went through.</param>
/// <param name="SupersededNotifications">Messages set aside in the last 24 hours because their incident was acknowledged or resolved first (reference §5.6).</param>
public sealed record WorkerStatus(
    DateTimeOffset DatabaseTime,
    DateTimeOffset? LastTickAt,
    long PendingNotifications,
    long DeadNotifications,
    DateTimeOffset? OldestPendingAt,
    long OpenIncidentsAtLevel5OrAbove,
    long QuarantinedIncidents,
    long SupersededNotifications,
    bool SlackAuthFailing = false)
{
    /// <summary>Time since the last completed tick of any instance; null before the first.</summary>
    public double? TickLagMs => LastTickAt is { } last ? Math.Max(0, (DatabaseTime - last).TotalMilliseconds) : null;

    /// <summary>Age of the oldest unsent Slack message; 0 when none waits.</summary>
    public double QueueLagMs => OldestPendingAt is { } oldest ? Math.Max(0, (DatabaseTime - oldest).TotalMilliseconds) : 0;
}
