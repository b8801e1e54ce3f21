using EscalationFunctions.Engine.Endpoints.Answers;
using EscalationFunctions.Engine.Recalc;

namespace EscalationFunctions.Engine.Endpoints.Handlers;

/// <summary><c>POST /ops/escalation/recalc</c>: <c>next_due_at</c> of open incidents recomputed from the current SLA settings.</summary>
public sealed class RecalcEndpoint(SlaRecalculator recalculator) : IEndpointHandler
{
    public IReadOnlyList<EndpointRoute> Routes { get; } = [RouteTable.Recalc];

    public async Task<EndpointOutcome> HandleAsync(EndpointCall call, CancellationToken ct)
    {
        var recalc = await recalculator.RecalculateAsync(ct);
        var answer = new RecalcAnswer(recalc.Updated, recalc.Scanned, recalc.Batches, recalc.SlaVersion, Math.Round(recalc.DurationMs, 1));
        return new EndpointOutcome(EndpointAnswer.Ok(answer), answer);
    }
}
