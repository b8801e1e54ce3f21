using EscalationFunctions.Engine.Tick;

namespace EscalationFunctions.Engine.Endpoints.Handlers;

/// <summary><c>POST /ops/escalation/tick</c>: one tick now, answered with what it did.</summary>
public sealed class TickEndpoint(EscalationTicker ticker) : IEndpointHandler
{
    public IReadOnlyList<EndpointRoute> Routes { get; } = [RouteTable.Tick];

    public async Task<EndpointOutcome> HandleAsync(EndpointCall call, CancellationToken ct)
    {
        var answer = (await ticker.TickAsync(ct)).Answer();
        return new EndpointOutcome(EndpointAnswer.Ok(answer), answer);
    }
}
