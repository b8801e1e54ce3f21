using EscalationFunctions.Engine.Security;
using EscalationFunctions.Engine.Settings;

namespace EscalationFunctions.Engine.Endpoints.Guards;

/// <summary>
/// The ops locks of reference §6 after the body limit, in its order; the first refusal wins: a valid,
/// fresh HMAC signature accepted once only on any instance (401), a caller holding
/// <c>OPS_ADMIN_ROLE</c> (<see cref="CallerRoleCheck"/>: 401/403), the rate limit (<see cref="RateLimitCheck"/>: 429).
/// </summary>
public sealed class OpsGuard(HmacKeyProvider hmacKeys, SignatureReplayGuard replayGuard, CallerRoleCheck callerCheck, RateLimitCheck rateLimit,
    TimeProvider time)
{
    public async Task<GuardResult> CheckAsync(EndpointRoute route, EndpointRequest request, CancellationToken ct)
    {
        if (await SignatureRefusalAsync(request, ct) is { } badSignature)
        {
            return GuardResult.Refused(badSignature);
        }
        if (callerCheck.Check(request, out var caller) is { } badCaller)
        {
            return GuardResult.Refused(badCaller, caller);
        }
        return new GuardResult(caller, await rateLimit.CheckAsync(caller, route, ct));
    }

    private async Task<EndpointAnswer?> SignatureRefusalAsync(EndpointRequest request, CancellationToken ct)
    {
        var keys = await hmacKeys.GetKeysAsync(ct);
        if (keys.Count == 0)
        {
            return EndpointAnswer.Error(503, "signing_not_configured",
                $"{SettingNames.OpsHmacSecret} is not set on the worker, so signed ops calls cannot be verified.");
        }
        var signature = request.Header(HmacRequestSignature.SignatureHeader);
        var check = HmacRequestSignature.Verify(keys, request.Header(HmacRequestSignature.TimestampHeader), signature, request.Body, time.GetUtcNow());
        if (SignatureRefusal.For(check, HmacRequestSignature.TimestampHeader, HmacRequestSignature.SignatureHeader,
                $"'{HmacRequestSignature.Prefix}' followed by 64 hex digits", HmacRequestSignature.Tolerance) is { } refusal)
        {
            return refusal;
        }
        return await replayGuard.TryAcceptAsync(signature!, ct)
            ? null
            : SignatureRefusal.Unauthorized("replayed_signature", "This signature was already used; sign every call afresh.");
    }
}
