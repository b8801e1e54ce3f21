namespace EscalationFunctions.Engine.Ops;

/// <summary>The ops routes of spec §6 and §6.2, and Slack's interaction route of §9 (no <c>/api</c> prefix).</summary>
public enum OpsEndpoint
{
    Tick,
    Recalc,
    Health,

    /// <summary><c>POST /ops/incidents/{incident_key}/ack</c> (§6.2).</summary>
    Ack,

    /// <summary><c>POST /slack/interactions</c> (§9): Slack's signature instead of the ops locks.</summary>
    SlackInteractions,
}

public static class OpsRoutes
{
    public const string Tick = "ops/escalation/tick";
    public const string Recalc = "ops/escalation/recalc";
    public const string Health = "ops/escalation/health";

    /// <summary>The ack route's template; the key is one path segment, percent-encoded by the caller.</summary>
    public const string Ack = "ops/incidents/{incident_key}/ack";

    public const string SlackInteractions = "slack/interactions";

    public static string Name(this OpsEndpoint endpoint) => endpoint switch
    {
        OpsEndpoint.Tick => "tick",
        OpsEndpoint.Recalc => "recalc",
        OpsEndpoint.Ack => "ack",
        OpsEndpoint.SlackInteractions => "slack_interactions",
        _ => "health",
    };

    public static string Route(this OpsEndpoint endpoint) => endpoint switch
    {
        OpsEndpoint.Tick => Tick,
        OpsEndpoint.Recalc => Recalc,
        OpsEndpoint.Ack => Ack,
        OpsEndpoint.SlackInteractions => SlackInteractions,
        _ => Health,
    };

    public static string Method(this OpsEndpoint endpoint) => endpoint == OpsEndpoint.Health ? "GET" : "POST";
}
