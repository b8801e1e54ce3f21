using EscalationFunctions.Engine.Security;
using EscalationFunctions.Engine.Settings;

namespace EscalationFunctions.Engine.Endpoints.Guards;

/// <summary>
/// Reference §9 step 1: Slack's v0 signature over the raw body, checked before anything is read from it
/// (401). A request Slack signed is from <see cref="Callers.Slack"/> until its payload names the user.
/// </summary>
public sealed class SlackGuard(SlackSigningSecretProvider signing, TimeProvider time)
{
    public async Task<GuardResult> CheckAsync(EndpointRequest request, CancellationToken ct)
    {
        var secrets = await signing.GetSecretsAsync(ct);
        if (secrets.Count == 0)
        {
            return GuardResult.Refused(EndpointAnswer.Error(503, "slack_signing_not_configured",
                $"{SettingNames.SlackSigningSecret} is not set on the worker, so Slack's clicks cannot be verified."));
        }
        var check = SlackRequestSignature.Verify(secrets, request.Header(SlackRequestSignature.TimestampHeader),
            request.Header(SlackRequestSignature.SignatureHeader), request.Body, time.GetUtcNow());
        return SignatureRefusal.For(check, SlackRequestSignature.TimestampHeader, SlackRequestSignature.SignatureHeader,
                $"'{SlackRequestSignature.Version}=' followed by 64 hex digits", SlackRequestSignature.Tolerance) is { } refusal
            ? GuardResult.Refused(refusal)
            : new GuardResult(Callers.Slack, null);
    }
}
