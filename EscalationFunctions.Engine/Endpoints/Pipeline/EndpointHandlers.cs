namespace EscalationFunctions.Engine.Endpoints.Pipeline;

/// <summary>The handler of each route in <see cref="RouteTable"/>; built once, and refuses to start when a route has none or two.</summary>
public sealed class EndpointHandlers
{
    private readonly Dictionary<EndpointRoute, IEndpointHandler> _byRoute = new(ReferenceEqualityComparer.Instance);

    public EndpointHandlers(IEnumerable<IEndpointHandler> handlers)
    {
        foreach (var handler in handlers)
        {
            foreach (var route in handler.Routes)
            {
                if (!_byRoute.TryAdd(route, handler))
                {
                    throw new InvalidOperationException($"Two handlers serve {route}.");
                }
            }
        }
        if (RouteTable.All.FirstOrDefault(r => !_byRoute.ContainsKey(r)) is { } missing)
        {
            throw new InvalidOperationException($"No handler serves {missing}.");
        }
    }

    public IEndpointHandler For(EndpointRoute route) => _byRoute[route];
}
