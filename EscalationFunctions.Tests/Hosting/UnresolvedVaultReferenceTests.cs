using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Hosting;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Support;

namespace EscalationFunctions.Tests.Hosting;

/// <summary>
/// An app setting App Service could not resolve holds the Key Vault reference text itself; as a
/// secret (an HMAC key, a Slack signing secret) that text would be guessable, so start-up stops.
/// </summary>
[Lane(TestLane.Database)]
public class UnresolvedVaultReferenceTests(DatabaseFixture fixture) : DatabaseTest(fixture)
{
    [Fact]
    public async Task Each_unresolved_reference_stops_start_up_with_a_line_naming_the_setting()
    {
        var env = TestSettings.Environment(Db, overrides: new()
        {
            [SettingNames.OpsHmacSecret] = "@Microsoft.KeyVault(VaultName=kv-prod;SecretName=ops-hmac-secret)",
            ["SLACK_SIGNING_SECRET"] = " @Microsoft.KeyVault(VaultName=kv-prod;SecretName=slack-signing-secret)",
        });
        var errors = new StringWriter();

        var startup = await StartupConfiguration.LoadOrReportAsync(env.GetValueOrDefault, errors);

        Assert.Null(startup);
        var lines = errors.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Contains(lines, l => l.StartsWith("Configuration error: OPS_HMAC_SECRET is an unresolved Key Vault reference", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("Configuration error: SLACK_SIGNING_SECRET is an unresolved Key Vault reference", StringComparison.Ordinal)
                                    && l.Contains("SecretName=slack-signing-secret"));
    }

    [Fact]
    public async Task Resolved_values_start()
    {
        var env = TestSettings.Environment(Db, overrides: new() { ["SLACK_SIGNING_SECRET"] = "a-resolved-signing-secret-0123456789" });

        var startup = await StartupConfiguration.LoadOrReportAsync(env.GetValueOrDefault, TextWriter.Null);

        Assert.NotNull(startup);
    }
}
