using EscalationFunctions.Engine.Configuration;
using EscalationFunctions.Engine.Ops;

namespace EscalationFunctions.Engine.Security;

/// <summary>Spec §6 step 2: a valid, fresh signature (<see cref="HmacRequestSignature"/>), accepted once only (else 401).</summary>
public sealed class OpsSignatureCheck(HmacKeyProvider hmacKeys, SignatureReplayGuard replayGuard, TimeProvider time)
{
    public async Task<OpsResponse?> CheckAsync(OpsRequest request, CancellationToken ct)
    {
        var keys = await hmacKeys.GetKeysAsync(ct);
        if (keys.Count == 0)
        {
            return OpsResponse.Error(503, "signing_not_configured",
                $"{SettingNames.OpsHmacSecret} is not set on the worker, so signed ops calls cannot be verified.");
        }
        var signature = request.Header(HmacRequestSignature.SignatureHeader);
        var check = HmacRequestSignature.Verify(keys, request.Header(HmacRequestSignature.TimestampHeader), signature, request.Body, time.GetUtcNow());
        if (check != SignatureCheck.Valid)
        {
            return check switch
            {
                SignatureCheck.Missing => Unauthorized("missing_signature",
                    $"Sign the call: send {HmacRequestSignature.TimestampHeader} and {HmacRequestSignature.SignatureHeader}."),
                SignatureCheck.BadTimestamp => Unauthorized("invalid_timestamp", $"{HmacRequestSignature.TimestampHeader} must be unix time in seconds."),
                SignatureCheck.StaleTimestamp => Unauthorized("stale_timestamp",
                    $"{HmacRequestSignature.TimestampHeader} must be within {HmacRequestSignature.Tolerance.TotalSeconds:F0} seconds of the server's time."),
                SignatureCheck.BadFormat => Unauthorized("invalid_signature", $"{HmacRequestSignature.SignatureHeader} must be 'sha256=' followed by 64 hex digits."),
                _ => Unauthorized("signature_mismatch", "The signature does not match the timestamp and body."),
            };
        }
        if (!await replayGuard.TryAcceptAsync(signature!, ct))
        {
            return Unauthorized("replayed_signature", "This signature was already used; sign every call afresh.");
        }
        return null;
    }

    private static OpsResponse Unauthorized(string code, string message) => OpsResponse.Error(401, code, message);
}
