using EscalationFunctions.Engine.Acknowledge;
using EscalationFunctions.Engine.Endpoints.Answers;

namespace EscalationFunctions.Engine.Endpoints.Handlers;

/// <summary>
/// Both acknowledge routes (reference §6.2): acknowledged by the caller's (escaped) name when still
/// unacknowledged; a second call changes nothing and says who acknowledged; an unknown key is 404.
/// </summary>
public sealed class AckEndpoint(IncidentAcknowledger acknowledger) : IEndpointHandler
{
    public IReadOnlyList<EndpointRoute> Routes { get; } = [RouteTable.AckByPath, RouteTable.AckByBody];

    public async Task<EndpointOutcome> HandleAsync(EndpointCall call, CancellationToken ct)
    {
        var refusal = call.Route == RouteTable.AckByBody
            ? IncidentKeys.FromBody(call.Request, out var key)
            : IncidentKeys.FromSegment(call.Request, out key);
        if (refusal is not null)
        {
            return refusal;
        }

        var incident = $"incident {IncidentKeys.ForLog(key)}";
        var ack = IncidentKeyText.CanExist(key) ? await acknowledger.AcknowledgeAsync(key, call.Caller, ct) : null;
        if (ack is null)
        {
            return new EndpointOutcome(EndpointAnswer.Error(404, "incident_not_found", "No incident has this key."),
                new IncidentKeyDetails(IncidentKeys.ForLog(key))) { Subject = incident };
        }
        var answer = ack.Answer();
        return new EndpointOutcome(EndpointAnswer.Ok(answer), answer)
        {
            Subject = ack.AlreadyAcknowledged ? $"{incident} was already acknowledged" : $"{incident} acknowledged",
        };
    }
}
