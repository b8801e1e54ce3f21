namespace EscalationFunctions.Engine.Endpoints.Guards;

/// <summary>Who a call is from (escaped; <see cref="Callers.Anonymous"/> until known) and, when it may not run, the refusal.</summary>
public sealed record GuardResult(string Caller, EndpointAnswer? Refusal)
{
    public static GuardResult Refused(EndpointAnswer refusal, string caller = Callers.Anonymous) => new(caller, refusal);
}
