using EscalationFunctions.Engine.Acknowledge;
using EscalationFunctions.Engine.Status;

namespace EscalationFunctions.Engine.Endpoints.Handlers;

/// <summary>
/// <c>GET /incidents/{key}</c> on the plain server: in a local run <c>APP_BASE_URL</c> is the worker
/// itself, so the link in every Slack message leads here and shows the incident and its escalations.
/// Read-only. The key is read as the ack route reads it, so every link names its incident.
/// </summary>
public sealed class IncidentPageEndpoint(StatusReportReader reader) : IEndpointHandler
{
    public IReadOnlyList<EndpointRoute> Routes { get; } = [RouteTable.IncidentPage];

    public async Task<EndpointOutcome> HandleAsync(EndpointCall call, CancellationToken ct)
    {
        if (IncidentKeys.FromSegment(call.Request, out var key) is { } refusal)
        {
            return refusal;
        }
        var page = IncidentKeyText.CanExist(key) ? await reader.ReadIncidentAsync(key, ct) : null;
        return page is null
            ? EndpointAnswer.Error(404, "incident_not_found", "No incident has that key.")
            : EndpointAnswer.Ok(page);
    }
}
