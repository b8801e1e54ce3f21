namespace EscalationFunctions.Engine.Ops;

/// <summary>The three ops routes of spec §6 (no <c>/api</c> prefix).</summary>
public enum OpsEndpoint
{
    Tick,
    Recalc,
    Health,
}

public static class OpsRoutes
{
    public const string Tick = "ops/escalation/tick";
    public const string Recalc = "ops/escalation/recalc";
    public const string Health = "ops/escalation/health";

    public static string Name(this OpsEndpoint endpoint) => endpoint switch
    {
        OpsEndpoint.Tick => "tick",
        OpsEndpoint.Recalc => "recalc",
        _ => "health",
    };

    public static string Route(this OpsEndpoint endpoint) => endpoint switch
    {
        OpsEndpoint.Tick => Tick,
        OpsEndpoint.Recalc => Recalc,
        _ => Health,
    };

    public static string Method(this OpsEndpoint endpoint) => endpoint == OpsEndpoint.Health ? "GET" : "POST";
}
