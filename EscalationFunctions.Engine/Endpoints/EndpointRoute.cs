namespace EscalationFunctions.Engine.Endpoints;

/// <summary>One HTTP route of the worker, as <see cref="RouteTable"/> lists it.</summary>
/// <param name="Name">The name audit rows and log lines use (<c>ops_audit.endpoint</c>); both acknowledge forms are <c>ack</c>.</param>
/// <param name="Template">The path without a leading slash; <c>{incident_key}</c> stands for one path segment.</param>
/// <param name="MaxBodyBytes">The largest body the route reads; 0: the route reads no body.</param>
/// <param name="ChangesState">A call runs only once its audit row is written (a call that cannot be audited is refused).</param>
/// <param name="ServedByFunctionsApp">False for the local incident page: in Azure, <c>APP_BASE_URL</c> is the team's incident tool.</param>
public sealed record EndpointRoute(
    string Name,
    string Method,
    string Template,
    RouteGuard Guard,
    int MaxBodyBytes,
    bool ChangesState,
    bool ServedByFunctionsApp = true)
{
    /// <summary>The route's first path segment (<c>ops</c>, <c>slack</c>, <c>incidents</c>).</summary>
    public string Prefix => Template.Split('/')[0];

    /// <summary>Whether the template holds <c>{incident_key}</c>.</summary>
    public bool HasKeySegment => Template.Contains(RouteTable.KeySegment, StringComparison.Ordinal);

    public override string ToString() => $"{Method} /{Template}";
}
