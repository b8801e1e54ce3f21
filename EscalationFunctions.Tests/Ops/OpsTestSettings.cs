using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Support;

namespace EscalationFunctions.Tests.Ops;

/// <summary>Settings for a server under ops tests: signing configured, local trust of the principal header, no timer ticks.</summary>
public static class OpsTestSettings
{
    public static Dictionary<string, string> For(TestDatabase db, Dictionary<string, string>? overrides = null)
    {
        var env = TestSettings.Environment(db, overrides: new()
        {
            [SettingNames.OpsHmacSecret] = OpsCall.Secret,
            [SettingNames.OpsTrustPrincipalHeader] = "true",
            [SettingNames.TickMs] = "86400000",
        });
        foreach (var (name, value) in overrides ?? [])
        {
            env[name] = value;
        }
        return env;
    }
}
