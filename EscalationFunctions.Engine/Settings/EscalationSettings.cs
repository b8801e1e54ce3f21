namespace EscalationFunctions.Engine.Settings;

/// <summary>
/// Every setting of the worker, parsed and validated once at start-up by <see cref="SettingsReader"/>.
/// Grouped by the part of the engine that reads them. Holders of secrets are classes, not records,
/// so that no generated <c>ToString</c> can print a secret into a log line.
/// </summary>
public sealed class EscalationSettings
{
    public required GateSettings Gates { get; init; }
    public required SlaSettings Sla { get; init; }
    public required TickSettings Tick { get; init; }
    public required SlackSettings Slack { get; init; }
    public required OpsSettings Ops { get; init; }
    public required ConnectionSettings Connections { get; init; }
}
