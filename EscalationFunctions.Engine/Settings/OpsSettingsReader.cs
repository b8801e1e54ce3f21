using EscalationFunctions.Engine.Secrets;

namespace EscalationFunctions.Engine.Settings;

/// <summary>Reads what guards the ops endpoints: HMAC keys, the admin role, the rate limit, which callers' principal header is believed.</summary>
internal static class OpsSettingsReader
{
    /// <param name="platformAuthenticatesCallers">The host's platform signs callers in and sets the principal header itself (App Service Authentication).</param>
    public static OpsSettings Read(SettingValues values, bool platformAuthenticatesCallers)
    {
        var rawSecrets = values.Raw(SettingNames.OpsHmacSecret);
        if (!SecretFormats.TryParseHmacKeys(rawSecrets, out var secrets, out var secretProblem))
        {
            values.Problems.Add($"{SettingNames.OpsHmacSecret}={SettingValues.Shown(SettingNames.OpsHmacSecret, rawSecrets!)} is invalid: {secretProblem}.");
        }
        var role = values.Text(SettingNames.OpsAdminRole, "ops_admin");
        if (role.Any(c => char.IsWhiteSpace(c) || c == ','))
        {
            values.Problems.Add($"{SettingNames.OpsAdminRole}='{role}' is invalid: expected one role name without spaces or commas, e.g. 'ops_admin'.");
        }
        return new OpsSettings
        {
            HmacSecrets = secrets,
            AdminRole = role,
            RateLimitPerMinute = values.Int(SettingNames.OpsRateLimitPerMinute, 10, 1, 100_000),
            TrustPrincipalHeader = platformAuthenticatesCallers | values.Bool(SettingNames.OpsTrustPrincipalHeader, false),
        };
    }
}
