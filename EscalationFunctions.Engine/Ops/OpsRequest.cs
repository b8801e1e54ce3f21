namespace EscalationFunctions.Engine.Ops;

/// <summary>
/// An ops call, independent of the host that received it. Each host adapts its own request type
/// (ASP.NET Core's <c>HttpRequest</c> in both the plain server and the Functions app) to this one.
/// </summary>
public sealed record OpsRequest(
    string Method,
    Func<string, string?> Header,
    byte[] Body,
    OpsBodyRead BodyRead,
    string? RemoteAddress,
    string? IncidentKey = null)
{
    /// <summary>Spec §6: tick and recalc bodies are at most 64 KiB.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    /// <summary>Slack's interaction payloads carry the clicked message (up to 50 blocks), form-encoded: more room than ops calls.</summary>
    public const int MaxSlackBodyBytes = 1024 * 1024;
}
