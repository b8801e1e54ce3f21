using EscalationFunctions.Engine.Security;
using EscalationFunctions.Engine.Settings;

namespace EscalationFunctions.Engine.Endpoints.Guards;

/// <summary>
/// Reference §6 step 3: a caller (<see cref="ClientPrincipal"/>, else 401) holding <c>OPS_ADMIN_ROLE</c>
/// (else 403). The header is trusted only when App Service Authentication is on or local trust is set.
/// </summary>
public sealed class CallerRoleCheck(EscalationSettings settings)
{
    /// <summary>The refusal, or null; <paramref name="caller"/> is the name to audit either way (escaped).</summary>
    public EndpointAnswer? Check(EndpointRequest request, out string caller)
    {
        caller = Callers.Anonymous;
        var header = request.Header(ClientPrincipal.Header);
        if (string.IsNullOrWhiteSpace(header))
        {
            return EndpointAnswer.Error(401, "missing_principal",
                $"No caller: {ClientPrincipal.Header} is missing (sign in through App Service Authentication).");
        }
        if (!ClientPrincipal.TryParse(header, out var principal))
        {
            return EndpointAnswer.Error(401, "invalid_principal", $"{ClientPrincipal.Header} must be base64-encoded UTF-8 JSON with a claims array.");
        }
        if (!settings.Ops.TrustPrincipalHeader)
        {
            caller = "unverified:" + principal.Name;
            return EndpointAnswer.Error(403, "untrusted_principal",
                $"{ClientPrincipal.Header} is not trusted because App Service Authentication is off " +
                $"({SettingNames.WebsiteAuthEnabled} is not True), so no caller has a role.");
        }
        caller = principal.Name;
        return principal.HasRole(settings.Ops.AdminRole)
            ? null
            : EndpointAnswer.Error(403, "missing_role", $"The caller does not hold the role '{settings.Ops.AdminRole}'.");
    }
}
