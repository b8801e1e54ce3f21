namespace EscalationFunctions.Engine.Endpoints;

/// <summary>What a route's caller must prove, beyond the function key the host checks first.</summary>
public enum RouteGuard
{
    /// <summary>Nothing more: health and the incident page read, they change nothing.</summary>
    None,

    /// <summary>The ops locks of reference §6: HMAC signature accepted once, a caller holding <c>OPS_ADMIN_ROLE</c>, the rate limit.</summary>
    OpsSignature,

    /// <summary>Slack's v0 request signature (reference §9).</summary>
    SlackSignature,
}
