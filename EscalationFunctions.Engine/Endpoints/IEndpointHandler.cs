namespace EscalationFunctions.Engine.Endpoints;

/// <summary>
/// The work of one route (or of the two forms of one route), once the pipeline has checked the
/// method, the body size, the caller and written the audit row. A client's mistake is an error
/// answer; anything thrown is the pipeline's to answer.
/// </summary>
public interface IEndpointHandler
{
    /// <summary>The routes of <see cref="RouteTable"/> this handler serves.</summary>
    IReadOnlyList<EndpointRoute> Routes { get; }

    Task<EndpointOutcome> HandleAsync(EndpointCall call, CancellationToken ct);
}
