using EscalationFunctions.Engine.Tick;

namespace EscalationFunctions.Engine.Status;

/// <summary>What the <c>status</c> command shows: one consistent snapshot of the database, read by <see cref="StatusReportReader"/>.</summary>
public sealed record StatusReport(
    DateTimeOffset DatabaseTime,
    StatusList<OpenIncident> OpenIncidents,
    RecentEscalations Escalations,
    MessageStatus Messages,
    StatusList<QuarantinedIncident> Quarantined,
    IReadOnlyList<InstanceTick> Instances)
{
    /// <summary>Routes whose own webhook (SLACK_ROUTE_WEBHOOKS, as this command's environment has it) is invalid and whose pages go to the global one.</summary>
    public IReadOnlyList<string> SlackFallbackRoutes { get; init; } = [];

    /// <summary>Open incidents whose escalation is due, and why the last tick did not page each.</summary>
    public StatusList<OverdueIncident> Overdue { get; init; } = new(0, []);

    /// <summary>Pending messages whose last post failed, with the error (the retry comes at <see cref="FailingMessage.NextAttemptAt"/>).</summary>
    public IReadOnlyList<FailingMessage> Failing { get; init; } = [];

    /// <summary>Instances whose last tick is older than an hour (gone, on a platform that scales in): counted, not listed.</summary>
    public long OlderInstances { get; init; }
}

/// <param name="Reason">Why the last tick did not page it, in words (with the setting behind it).</param>
public sealed record OverdueIncident(string IncidentKey, string Route, int Level, DateTimeOffset DueAt, string Reason);

public sealed record FailingMessage(DateTimeOffset CreatedAt, string Kind, string IncidentKey, int? Level, string? Route, int Attempts,
    DateTimeOffset NextAttemptAt, string? LastError);

/// <summary>The first rows of a list and how many there are in all.</summary>
public sealed record StatusList<T>(long Count, IReadOnlyList<T> Shown);

/// <param name="NextDueAt">Null at <c>MAX_ESC_LEVEL</c>: nothing more escalates.</param>
public sealed record OpenIncident(
    string IncidentKey, string Route, string Severity, string Title, int Level, DateTimeOffset? NextDueAt, DateTimeOffset FirstSeen);

/// <summary>The escalations recorded in the last <see cref="Hours"/> hours.</summary>
public sealed record RecentEscalations(int Hours, long Count, IReadOnlyList<RecentEscalation> Shown);

/// <param name="Route">Null when the incident row is gone.</param>
/// <param name="Slack">The Slack message's state: <c>pending</c>, <c>sent</c>, <c>dead</c>, <c>superseded</c> (not posted: the incident was
/// acknowledged or resolved first), or null when there is none.</param>
public sealed record RecentEscalation(DateTimeOffset At, string IncidentKey, int Level, string? Route, string? Severity, string? Slack);

/// <param name="Superseded">Messages set aside in the report's last hours, not posted because their incident was acknowledged or resolved first (reference §5.6).</param>
public sealed record MessageStatus(long Pending, DateTimeOffset? OldestPendingAt, long Dead, IReadOnlyList<DeadMessage> DeadShown, long Superseded);

/// <param name="LastError">Slack's last answer, or the transport's error.</param>
/// <param name="Kind">What the message was (<c>page</c>, <c>click_answer</c>); a click answer has no level or route.</param>
public sealed record DeadMessage(DateTimeOffset CreatedAt, string Kind, string IncidentKey, int? Level, string? Route, int Attempts, string? LastError);

/// <param name="Error">The data error that escalating the incident raised.</param>
public sealed record QuarantinedIncident(DateTimeOffset QuarantinedAt, string IncidentKey, string Route, int Level, string? Error);

/// <param name="Outcome">What the instance's last tick did (<see cref="TickOutcome"/>'s name).</param>
/// <param name="CanaryPct">The ESC_CANARY_PCT that tick ran with.</param>
/// <param name="PausedUntil">Set when that tick found the worker paused (as the tick recorded it).</param>
public sealed record InstanceTick(string InstanceId, DateTimeOffset LastCompletedAt, string? Outcome, int? CanaryPct = null, string? PausedUntil = null)
{
    /// <summary>The gates the instance ran under, in words: what <c>status</c> shows as its mode.</summary>
    public string Mode => Outcome switch
    {
        "paused" => $"paused until {PausedUntil ?? "?"}",
        "v1Off" => "escalating nothing (ESCALATION_V1=false)",
        "dryRun" => "dry run (ESC_DRY_RUN=true)",
        _ => CanaryPct is { } pct and < 100 ? $"escalating, canary {pct}% of routes" : "escalating, every route",
    };
}
