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
