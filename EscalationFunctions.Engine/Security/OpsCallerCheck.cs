using EscalationFunctions.Engine.Configuration;
using EscalationFunctions.Engine.Ops;

namespace EscalationFunctions.Engine.Security;

/// <summary>
/// Spec §6 step 3: a caller (<see cref="ClientPrincipal"/>, else 401) holding <c>OPS_ADMIN_ROLE</c>
/// (else 403). The header is trusted only when App Service Authentication is on or local trust is set.
/// </summary>
public sealed class OpsCallerCheck(EscalationSettings settings)
{
    public const string Anonymous = "anonymous";

    /// <summary>The refusal, or null; <paramref name="caller"/> is the name to audit either way (escaped).</summary>
    public OpsResponse? Check(OpsRequest request, out string caller)
    {
        caller = Anonymous;
        var header = request.Header(ClientPrincipal.Header);
        if (string.IsNullOrWhiteSpace(header))
        {
            return OpsResponse.Error(401, "missing_principal",
                $"No caller: {ClientPrincipal.Header} is missing (sign in through App Service Authentication).");
        }
        if (!ClientPrincipal.TryParse(header, out var principal))
        {
            return OpsResponse.Error(401, "invalid_principal", $"{ClientPrincipal.Header} must be base64-encoded UTF-8 JSON with a claims array.");
        }
        if (!settings.Ops.TrustPrincipalHeader)
        {
            caller = "unverified:" + principal.Name;
            return OpsResponse.Error(403, "untrusted_principal",
                $"{ClientPrincipal.Header} is not trusted because App Service Authentication is off " +
                $"({SettingNames.WebsiteAuthEnabled} is not True), so no caller has a role.");
        }
        caller = principal.Name;
        return principal.HasRole(settings.Ops.AdminRole)
            ? null
            : OpsResponse.Error(403, "missing_role", $"The caller does not hold the role '{settings.Ops.AdminRole}'.");
    }
}
