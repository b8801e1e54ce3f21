using EscalationFunctions.Engine.Endpoints.Answers;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Engine.Slack.Transports;
using EscalationFunctions.Engine.Status;

namespace EscalationFunctions.Engine.Endpoints.Handlers;

/// <summary><c>GET /ops/escalation/health</c>: the gates as configured and the state every instance shares in the database.</summary>
public sealed class HealthEndpoint(EscalationSettings settings, WorkerStatusReader statusReader, SlackWebhookDirectory webhooks) : IEndpointHandler
{
    public IReadOnlyList<EndpointRoute> Routes { get; } = [RouteTable.Health];

    public async Task<EndpointOutcome> HandleAsync(EndpointCall call, CancellationToken ct)
    {
        var status = await statusReader.ReadAsync(ct);
        var gates = settings.Gates;
        var pausedUntil = gates.Pause?.PausedUntil(status.DatabaseTime);
        return EndpointAnswer.Ok(new HealthAnswer(
            gates.WorkerEnabled,
            gates.V1Enabled,
            gates.CanaryPercent,
            status.TickLagMs is { } lag ? Math.Round(lag) : null,
            gates.DryRun,
            pausedUntil is not null,
            status.LastTickAt,
            status.PendingNotifications,
            status.DeadNotifications,
            status.SupersededNotifications,
            status.QuarantinedIncidents,
            Math.Round(status.QueueLagMs),
            pausedUntil,
            status.SlackAuthFailing,
            settings.Slack.App is null ? (await webhooks.CurrentAsync(ct)).FallbackRoutes : []));
    }
}
