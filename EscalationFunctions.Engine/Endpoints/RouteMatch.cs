namespace EscalationFunctions.Engine.Endpoints;

/// <summary>A request path matched against <see cref="RouteTable"/>.</summary>
/// <param name="KeySegment">The <c>{incident_key}</c> segment exactly as sent (still percent-encoded); null for routes without one.</param>
public sealed record RouteMatch(EndpointRoute Route, string? KeySegment);
