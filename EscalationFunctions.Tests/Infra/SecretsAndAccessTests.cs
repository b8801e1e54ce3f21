using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using EscalationFunctions.Engine.Configuration;

namespace EscalationFunctions.Tests.Infra;

/// <summary>No secret in the template, its outputs or its app settings; access by identity and RBAC only.</summary>
[Collection(InfraCollection.Name)]
public partial class SecretsAndAccessTests(CompiledInfra infra)
{
    private const string KeyVaultSecretsUser = "4633458b-17de-408a-b874-0445c86b69e6";
    private const string StorageBlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
    private const string StorageQueueDataContributor = "974c5e8b-45b9-4653-ba55-5f855dd0fb88";
    private const string StorageTableDataContributor = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3";

    [Fact]
    public void The_secret_detector_recognises_secrets_and_passes_references()
    {
        // The detector below must be able to fail: each of these is a secret a template must not hold.
        string[] secrets =
        [
            "DefaultEndpointsProtocol=https;AccountName=st;AccountKey=bm90LWEtcmVhbC1rZXk=;EndpointSuffix=core",
            "Host=db.example.com;Database=escalation;Username=app;Password=hunter2hunter2",
            "https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXX",
            "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://x",
            "postgres://app:s3cret@db.example.com/escalation",
            "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA==",
            "xoxb-123456789012-abcdefghijkl",
            "-----BEGIN RSA PRIVATE KEY-----",
        ];
        // ...and these are not: long names are not keys.
        Assert.All(secrets, s => Assert.True(LooksSecret(s), $"not recognised as a secret: {s}"));

        string[] fine =
        [
            "@Microsoft.KeyVault(VaultName=kv-abc;SecretName=postgres-connection-string)",
            "administratorLoginPassword", "Microsoft.ManagedIdentity/userAssignedIdentities", "managedidentity",
            "PostgreSQL administrator password (at least 16 characters). No default, never output.",
            "AllowAllAzureServicesAndResourcesWithinAzureIps",
        ];
        Assert.All(fine, s => Assert.False(LooksSecret(s), $"wrongly taken for a secret: {s}"));
    }

    [Fact]
    public void No_string_in_the_template_or_main_bicepparam_looks_like_a_secret()
    {
        var strings = Strings(infra.Template).Concat(Strings(infra.DefaultParameters)).ToList();
        Assert.True(strings.Count > 100, "The walk found too few strings to be meaningful.");
        var found = strings.Where(LooksSecret).ToList();
        Assert.True(found.Count == 0, "Secret-looking strings in the compiled template: " + string.Join(" | ", found));
    }

    [Fact]
    public void No_app_setting_holds_a_secret_value()
    {
        var settings = InfraResources.AppSettings(infra.Custom());
        foreach (var (name, value) in settings)
        {
            var text = value switch { string s => s, Symbolic s => s.Text, _ => ArmScope.Render(value) };
            Assert.False(LooksSecret(text), $"{name} looks like it holds a secret: {text}");
        }

        // Every setting the app treats as a secret is either a Key Vault reference or read from a resource.
        foreach (var name in SettingNames.Secrets.Where(settings.ContainsKey))
        {
            var symbolic = Assert.IsType<Symbolic>(settings[name]);
            Assert.True(symbolic.Text.StartsWith("@Microsoft.KeyVault(VaultName=", StringComparison.Ordinal)
                        || symbolic.Text.StartsWith("reference(resourceId(", StringComparison.Ordinal),
                $"{name} is neither a Key Vault reference nor read from a resource: {symbolic.Text}");
        }
    }

    [Fact]
    public void No_output_carries_a_secret()
    {
        var root = infra.Custom();
        var outputs = 0;
        foreach (var scope in root.AllScopes())
        {
            var secureParams = (scope.Template["parameters"] as JsonObject ?? [])
                .Where(p => p.Value?["type"]?.GetValue<string>() is "securestring" or "secureObject")
                .Select(p => p.Key).ToList();
            foreach (var (name, output) in scope.Template["outputs"] as JsonObject ?? [])
            {
                outputs++;
                var type = output!["type"]!.GetValue<string>();
                var value = output["value"]!.ToJsonString();
                Assert.DoesNotContain("secure", type, StringComparison.OrdinalIgnoreCase);
                Assert.False(SecretOutputName().IsMatch(name), $"{scope.Path}: output '{name}' is named like a secret.");
                Assert.False(ListFunction().IsMatch(value), $"{scope.Path}: output '{name}' calls a list*() function: {value}");
                Assert.DoesNotContain("ConnectionString", value, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain("InstrumentationKey", value, StringComparison.OrdinalIgnoreCase);
                Assert.All(secureParams, p => Assert.DoesNotContain($"parameters('{p}')", value, StringComparison.OrdinalIgnoreCase));
            }
        }
        Assert.True(outputs >= 10, $"Only {outputs} outputs found: the walk over the modules is broken.");

        foreach (var (name, _) in root.Template["outputs"] as JsonObject ?? [])
        {
            var value = root.Output(name);
            var text = value switch { string s => s, Symbolic s => s.Text, _ => ArmScope.Render(value) };
            Assert.False(LooksSecret(text), $"output {name} looks like a secret: {text}");
        }
    }

    [Fact]
    public void The_PostgreSQL_admin_password_is_a_secure_parameter_without_default()
    {
        var password = infra.Custom().ParameterDefinition("postgresAdminPassword");
        Assert.Equal("securestring", password["type"]?.GetValue<string>());
        Assert.False(password.ContainsKey("defaultValue"), "postgresAdminPassword must have no default.");

        var postgres = infra.Custom().Module("postgres");
        var moduleParam = postgres.ParameterDefinition("administratorLoginPassword");
        Assert.Equal("securestring", moduleParam["type"]?.GetValue<string>());
        Assert.False(moduleParam.ContainsKey("defaultValue"));
        var (_, server) = InfraResources.Single(infra.Custom(), "Microsoft.DBforPostgreSQL/flexibleServers");
        Assert.Equal("[parameters('administratorLoginPassword')]", server["properties"]!["administratorLoginPassword"]!.GetValue<string>());

        // Every secure parameter anywhere is default-free.
        foreach (var scope in infra.Custom().AllScopes())
        {
            foreach (var (name, definition) in scope.Template["parameters"] as JsonObject ?? [])
            {
                if (definition?["type"]?.GetValue<string>() is "securestring" or "secureObject")
                {
                    Assert.False(((JsonObject)definition).ContainsKey("defaultValue"), $"{scope.Path}: secure parameter '{name}' has a default.");
                }
            }
        }

        // main.bicepparam takes it from the environment only, and without it the deployment stops.
        Assert.Equal("", infra.DefaultParameters["parameters"]?["postgresAdminPassword"]?["value"]?.GetValue<string>());
        var fail = Assert.Throws<ArmFailException>(() => infra.Default(new Dictionary<string, object?> { ["appBaseUrl"] = "https://x.example.com" })
            .Module("postgres").Parameter("administratorLoginPassword"));
        Assert.Contains("postgresAdminPassword (POSTGRES_ADMIN_PASSWORD)", fail.Message);
    }

    [Fact]
    public void The_app_identity_holds_Key_Vault_Secrets_User_on_the_vault()
    {
        var root = infra.Custom();
        var (vaultScope, vault) = InfraResources.Single(root, "Microsoft.KeyVault/vaults");
        var vaultProperties = (Dictionary<string, object?>)vaultScope.Evaluate(vault["properties"])!;
        Assert.Equal(true, vaultProperties["enableRbacAuthorization"]);
        Assert.False(vaultProperties.ContainsKey("accessPolicies"), "The vault must use RBAC only, no access policies.");

        var assignment = Assert.Single(RoleAssignments(root, KeyVaultSecretsUser));
        Assert.Equal($"resourceId('Microsoft.KeyVault/vaults', {vaultScope.NameOf(vault)})", Text(assignment["scope"]));
        Assert.Equal($"reference({AppIdentityId(root)}, '2023-01-31').principalId", Text(assignment["principalId"]));
        Assert.Equal("ServicePrincipal", assignment["principalType"]);
    }

    [Fact]
    public void Storage_allows_no_shared_keys_and_the_app_identity_has_the_data_roles()
    {
        var root = infra.Custom();
        var (scope, storage) = InfraResources.Single(root, "Microsoft.Storage/storageAccounts");
        var properties = (Dictionary<string, object?>)scope.Evaluate(storage["properties"])!;
        Assert.Equal(false, properties["allowSharedKeyAccess"]);
        Assert.Equal(false, properties["allowBlobPublicAccess"]);
        Assert.Equal("TLS1_2", properties["minimumTlsVersion"]);
        Assert.Equal(true, properties["supportsHttpsTrafficOnly"]);

        var identity = AppIdentityId(root);
        foreach (var role in new[] { StorageBlobDataOwner, StorageQueueDataContributor, StorageTableDataContributor })
        {
            var assignment = Assert.Single(RoleAssignments(root, role));
            Assert.Equal($"resourceId('Microsoft.Storage/storageAccounts', {scope.NameOf(storage)})", Text(assignment["scope"]));
            Assert.Equal($"reference({identity}, '2023-01-31').principalId", Text(assignment["principalId"]));
        }

        var (containerScope, container) = InfraResources.Single(root, "Microsoft.Storage/storageAccounts/blobServices/containers");
        Assert.Equal("None", ((Dictionary<string, object?>)containerScope.Evaluate(container["properties"])!)["publicAccess"]);
    }

    [Fact]
    public void PostgreSQL_is_open_only_to_Azure_services_and_requires_TLS()
    {
        var root = infra.Custom();
        var rule = Assert.Single(InfraResources.OfType(root, "Microsoft.DBforPostgreSQL/flexibleServers/firewallRules"));
        var properties = (Dictionary<string, object?>)rule.Scope.Evaluate(rule.Resource["properties"])!;
        Assert.Equal("0.0.0.0", properties["startIpAddress"]);
        Assert.Equal("0.0.0.0", properties["endIpAddress"]);

        var tls = Assert.Single(InfraResources.OfType(root, "Microsoft.DBforPostgreSQL/flexibleServers/configurations"));
        Assert.EndsWith("/require_secure_transport", tls.Scope.NameOf(tls.Resource));
        Assert.Equal("on", ((Dictionary<string, object?>)tls.Scope.Evaluate(tls.Resource["properties"])!)["value"]);

        var (serverScope, server) = InfraResources.Single(root, "Microsoft.DBforPostgreSQL/flexibleServers");
        var evaluated = (Dictionary<string, object?>)serverScope.Evaluate(server)!;
        Assert.Equal("Burstable", ((Dictionary<string, object?>)evaluated["sku"]!)["tier"]);
        Assert.Equal("16", ((Dictionary<string, object?>)evaluated["properties"]!)["version"]);
        var database = Assert.Single(InfraResources.OfType(root, "Microsoft.DBforPostgreSQL/flexibleServers/databases"));
        Assert.EndsWith("/escalation", database.Scope.NameOf(database.Resource));
    }

    // ---- helpers -------------------------------------------------------------------------------------

    /// <summary>The resource id of the identity the Function App runs as.</summary>
    private static string AppIdentityId(ArmScope root)
    {
        var (scope, site) = InfraResources.FunctionApp(root);
        var identity = (Dictionary<string, object?>)((Dictionary<string, object?>)scope.Evaluate(site)!)["identity"]!;
        return Assert.Single(((Dictionary<string, object?>)identity["userAssignedIdentities"]!).Keys);
    }

    /// <summary>Role assignments of one built-in role, evaluated (scope and properties).</summary>
    private static List<Dictionary<string, object?>> RoleAssignments(ArmScope root, string roleId) =>
        InfraResources.OfType(root, "Microsoft.Authorization/roleAssignments")
            .Select(r =>
            {
                var properties = (Dictionary<string, object?>)r.Scope.Evaluate(r.Resource["properties"])!;
                properties["scope"] = r.Scope.Evaluate(r.Resource["scope"]);
                return properties;
            })
            .Where(p => Text(p["roleDefinitionId"]) == $"subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '{roleId}')")
            .ToList();

    private static string Text(object? value) => value switch
    {
        string s => s,
        Symbolic s => s.Text,
        _ => ArmScope.Render(value),
    };

    /// <summary>Every string value and property name in a JSON document (the workbook layout is inlined as JSON, so it is included).</summary>
    private static IEnumerable<string> Strings(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, value) in o)
                {
                    yield return key;
                    foreach (var s in Strings(value))
                    {
                        yield return s;
                    }
                }
                break;
            case JsonArray a:
                foreach (var s in a.SelectMany(Strings))
                {
                    yield return s;
                }
                break;
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                yield return v.GetValue<string>();
                break;
        }
    }

    private static bool LooksSecret(string text) => SecretPattern().IsMatch(text);

    [GeneratedRegex(
        @"AccountKey\s*=|SharedAccessKey\s*=|SharedAccessSignature|[?&]sig=|(^|;)\s*Password\s*=\s*[^;\s]|hooks\.slack\.com/services/" +
        @"|xox[abprs]-[0-9A-Za-z-]+|InstrumentationKey\s*=\s*[0-9a-fA-F]{8}-|-----BEGIN [A-Z ]*PRIVATE KEY-----" +
        @"|://[^/\s:@]+:[^/\s@]+@" +
        // A long run of base64 characters with both letters and digits: a key or token.
        @"|(?<![A-Za-z0-9+/=_.-])(?=[A-Za-z+/]*[0-9])(?=[0-9+/]*[A-Za-z])[A-Za-z0-9+/]{40,}={0,2}(?![A-Za-z0-9+/=])",
        RegexOptions.IgnoreCase)]
    private static partial Regex SecretPattern();

    [GeneratedRegex(@"password|secret|connectionstring|accountkey|instrumentationkey|apikey", RegexOptions.IgnoreCase)]
    private static partial Regex SecretOutputName();

    [GeneratedRegex(@"\blist[A-Za-z]*\(", RegexOptions.IgnoreCase)]
    private static partial Regex ListFunction();
}
