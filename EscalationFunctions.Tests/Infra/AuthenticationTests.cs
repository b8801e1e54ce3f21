using System.Text.Json.Nodes;
using EscalationFunctions.Testing;
using static EscalationFunctions.Tests.Infra.Snapshot;

namespace EscalationFunctions.Tests.Infra;

/// <summary>App Service Authentication (authsettingsV2) in front of the app, and the script that makes its app registration.</summary>
[Lane(TestLane.Infra)]
[Collection(InfraCollection.Name)]
public class AuthenticationTests(InfraSnapshots infra)
{
    [Fact]
    public void Unauthenticated_calls_get_401_except_Slack_interactions()
    {
        var auth = infra.Default.Named("Microsoft.Web/sites/config", "/authsettingsV2")["properties"]!;
        Assert.True(auth["platform"]!["enabled"]!.GetValue<bool>());
        var global = auth["globalValidation"]!;
        Assert.True(global["requireAuthentication"]!.GetValue<bool>());
        Assert.Equal("Return401", Str(global["unauthenticatedClientAction"]));
        Assert.Equal(["/slack/interactions"], global["excludedPaths"]!.AsArray().Select(Str));
        Assert.True(auth["httpSettings"]!["requireHttps"]!.GetValue<bool>());
        Assert.False(auth["login"]!["tokenStore"]!["enabled"]!.GetValue<bool>());
    }

    [Fact]
    public void Entra_ID_accepts_tokens_for_the_app_registration_given_as_a_parameter()
    {
        var entra = infra.Default.Named("Microsoft.Web/sites/config", "/authsettingsV2")["properties"]!["identityProviders"]!["azureActiveDirectory"]!;
        Assert.True(entra["enabled"]!.GetValue<bool>());
        Assert.Equal(InfraSnapshots.AuthClientId, Str(entra["registration"]!["clientId"]));
        var issuer = Str(entra["registration"]!["openIdIssuer"]);
        Assert.Contains("tenant().tenantId", issuer);
        Assert.Contains("/v2.0", issuer);
        Assert.Equal([InfraSnapshots.AuthClientId, $"api://{InfraSnapshots.AuthClientId}"], entra["validation"]!["allowedAudiences"]!.AsArray().Select(Str));
        Assert.Null(entra["registration"]!["clientSecretSettingName"]); // validating bearer tokens needs no secret

        var failed = infra.Failed("no-client-id");
        Assert.NotEqual(0, failed.ExitCode);
        Assert.Contains("authClientId (AUTH_CLIENT_ID) must be the client id", failed.StdOut + failed.StdErr);
    }

    [Fact]
    public void The_app_registration_script_creates_the_ops_admin_role_and_azd_runs_it_before_provisioning()
    {
        var script = File.ReadAllText(RepoPaths.Script("create-app-registration.sh"));
        Assert.Contains("az ad app create", script);
        Assert.Contains("azd env set AUTH_CLIENT_ID", script);

        // The app role the ops endpoints check (OPS_ADMIN_ROLE defaults to ops_admin), in the manifest the script sends.
        var roles = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "infra", "app-roles.json")))!.AsArray();
        var opsAdmin = Assert.Single(roles, r => Str(r!["value"]) == "ops_admin")!;
        Assert.True(opsAdmin["isEnabled"]!.GetValue<bool>());
        Assert.Contains("User", opsAdmin["allowedMemberTypes"]!.AsArray().Select(Str));
        Assert.True(Guid.TryParse(Str(opsAdmin["id"]), out _));

        var azureYaml = File.ReadAllText(Path.Combine(RepoPaths.Root, "azure.yaml"));
        Assert.Contains("preprovision:", azureYaml);
        Assert.Contains("scripts/create-app-registration.sh", azureYaml);
    }
}
