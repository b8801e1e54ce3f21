namespace EscalationFunctions.Engine.Endpoints;

/// <summary>A call that passed every check of its route, as its handler gets it.</summary>
/// <param name="Caller">Who made it, escaped: the ops principal's name, or <c>slack</c> for a request Slack signed.</param>
public sealed record EndpointCall(EndpointRoute Route, EndpointRequest Request, string Caller);
