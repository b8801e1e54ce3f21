namespace EscalationFunctions.Engine.Endpoints;

/// <summary>
/// A call to one of the worker's routes, independent of the host that received it (the plain
/// server and the Functions app both adapt ASP.NET Core's <c>HttpRequest</c> to this).
/// </summary>
/// <param name="Body">The raw bytes as received, within the route's limit (signatures are over these bytes).</param>
/// <param name="RemoteAddress">Already escaped by the host: it is the caller's text.</param>
/// <param name="KeySegment">The route's <c>{incident_key}</c> segment exactly as sent, still percent-encoded.</param>
public sealed record EndpointRequest(
    string Method,
    Func<string, string?> Header,
    byte[] Body,
    BodyRead BodyRead,
    string? RemoteAddress,
    string? KeySegment = null);
