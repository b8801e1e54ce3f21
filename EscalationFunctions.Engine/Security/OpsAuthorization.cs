using EscalationFunctions.Engine.Ops;

namespace EscalationFunctions.Engine.Security;

/// <summary>The checks <c>tick</c> and <c>recalc</c> pass, in the order of spec §6; the first refusal wins.</summary>
public sealed class OpsAuthorization(OpsSignatureCheck signature, OpsCallerCheck callerCheck, OpsRateLimitCheck rateLimit)
{
    /// <summary>The caller to audit (escaped; <see cref="OpsCallerCheck.Anonymous"/> until known) and the refusal, if any.</summary>
    public async Task<(string Caller, OpsResponse? Refusal)> AuthorizeAsync(OpsEndpoint endpoint, OpsRequest request, CancellationToken ct)
    {
        if (OpsBodyCheck.Check(request) is { } badBody)
        {
            return (OpsCallerCheck.Anonymous, badBody);
        }
        if (await signature.CheckAsync(request, ct) is { } badSignature)
        {
            return (OpsCallerCheck.Anonymous, badSignature);
        }
        if (callerCheck.Check(request, out var caller) is { } badCaller)
        {
            return (caller, badCaller);
        }
        return (caller, await rateLimit.CheckAsync(caller, endpoint, ct));
    }
}
