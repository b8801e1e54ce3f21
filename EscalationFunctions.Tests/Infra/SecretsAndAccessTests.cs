using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using EscalationFunctions.Engine.Settings;
using static EscalationFunctions.Tests.Infra.Snapshot;

namespace EscalationFunctions.Tests.Infra;

/// <summary>No secret in the deployment, its outputs or its app settings; access by identity and RBAC only.</summary>
[Lane(TestLane.Infra)]
[Collection(InfraCollection.Name)]
public partial class SecretsAndAccessTests(InfraSnapshots infra)
{
    private const string KeyVaultSecretsUser = "4633458b-17de-408a-b874-0445c86b69e6";
    private const string KeyVaultSecretsOfficer = "b86a8fe4-44ce-4948-aee5-eccb2c155cd7";
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
        Assert.All(secrets, s => Assert.True(LooksSecret(s), $"not recognised as a secret: {s}"));

        // ...and these are not: references, names and the password-free connection string.
        string[] fine =
        [
            "@Microsoft.KeyVault(VaultName=kv-abc;SecretName=postgres-connection-string)",
            "administratorLoginPassword", "Microsoft.ManagedIdentity/userAssignedIdentities", "managedidentity",
            "Host=[reference('x').fullyQualifiedDomainName];Database=escalation;Username=id-prod-abc;SSL Mode=Require;Maximum Pool Size=10",
        ];
        Assert.All(fine, s => Assert.False(LooksSecret(s), $"wrongly taken for a secret: {s}"));
    }

    [Fact]
    public void No_string_in_any_snapshot_looks_like_a_secret()
    {
        foreach (var snapshot in new[] { infra.Custom, infra.Default, infra.WithOperators, infra.WithoutVnet })
        {
            var strings = Strings(snapshot.Root).ToList();
            Assert.True(strings.Count > 300, $"{snapshot.Name}: the walk found too few strings ({strings.Count}) to be meaningful.");
            var found = strings.Where(LooksSecret).ToList();
            Assert.True(found.Count == 0, $"{snapshot.Name}: secret-looking strings: " + string.Join(" | ", found));
        }
    }

    [Fact]
    public void Every_secret_setting_is_absent_or_read_from_a_resource()
    {
        // Secrets reach the app one way: it reads them from the vault (KEY_VAULT_URI). The only secret
        // settings present are those the template reads from a resource it made (Application Insights).
        var settings = infra.Custom.AppSettings;
        Assert.Contains(SettingNames.KeyVaultUri, settings.Keys);
        foreach (var name in SettingNames.Secrets.Where(settings.ContainsKey))
        {
            var value = settings[name];
            Assert.True(value.StartsWith("[reference(", StringComparison.Ordinal), $"{name} is an app setting that is not read from a resource: {value}");
        }
    }

    [Fact]
    public void No_output_carries_a_secret_and_there_is_no_secure_parameter_left()
    {
        var outputs = infra.Custom.Outputs;
        Assert.True(outputs.Count >= 10, $"Only {outputs.Count} outputs.");
        foreach (var (name, value) in outputs)
        {
            Assert.False(SecretOutputName().IsMatch(name), $"Output '{name}' is named like a secret.");
            var text = value!.ToJsonString();
            Assert.False(ListFunction().IsMatch(text), $"Output '{name}' calls a list*() function: {text}");
            Assert.DoesNotContain("ConnectionString", text, StringComparison.OrdinalIgnoreCase);
        }

        // Passwordless: main.bicep takes no password, key or secret at all.
        var main = File.ReadAllText(Path.Combine(Testing.RepoPaths.Root, "infra", "main.bicep"));
        Assert.DoesNotContain("@secure()", main);
        Assert.DoesNotContain("POSTGRES_ADMIN_PASSWORD", File.ReadAllText(Path.Combine(Testing.RepoPaths.Root, "infra", "main.bicepparam")));
    }

    [Fact]
    public void The_app_identity_holds_Key_Vault_Secrets_User_and_the_deployer_Secrets_Officer()
    {
        var snapshot = infra.WithOperators;
        var vault = snapshot.Single("Microsoft.KeyVault/vaults");
        Assert.True(vault["properties"]!["enableRbacAuthorization"]!.GetValue<bool>());
        Assert.True(vault["properties"]!["enablePurgeProtection"]!.GetValue<bool>());
        Assert.Null(vault["properties"]!["accessPolicies"]);

        var user = Assert.Single(RoleAssignments(snapshot, KeyVaultSecretsUser));
        Assert.StartsWith(snapshot.IdOf(vault) + "/providers/Microsoft.Authorization/roleAssignments/", Str(user["id"]));
        Assert.Equal(AppPrincipal(snapshot), Str(user["properties"]!["principalId"]));
        Assert.Equal("ServicePrincipal", Str(user["properties"]!["principalType"]));

        var officer = Assert.Single(RoleAssignments(snapshot, KeyVaultSecretsOfficer));
        Assert.Equal(InfraSnapshots.DeployerObjectId, Str(officer["properties"]!["principalId"]));
        Assert.Empty(RoleAssignments(infra.Default, KeyVaultSecretsOfficer)); // no AZURE_PRINCIPAL_ID: nobody
    }

    [Fact]
    public void Storage_allows_no_shared_keys_and_the_app_identity_has_the_data_roles()
    {
        var snapshot = infra.Custom;
        var storage = snapshot.Single("Microsoft.Storage/storageAccounts");
        var properties = storage["properties"]!;
        Assert.False(properties["allowSharedKeyAccess"]!.GetValue<bool>());
        Assert.False(properties["allowBlobPublicAccess"]!.GetValue<bool>());
        Assert.Equal("TLS1_2", Str(properties["minimumTlsVersion"]));
        Assert.True(properties["supportsHttpsTrafficOnly"]!.GetValue<bool>());

        foreach (var role in new[] { StorageBlobDataOwner, StorageQueueDataContributor, StorageTableDataContributor })
        {
            var assignment = Assert.Single(RoleAssignments(snapshot, role));
            Assert.StartsWith(snapshot.IdOf(storage) + "/providers/Microsoft.Authorization/roleAssignments/", Str(assignment["id"]));
            Assert.Equal(AppPrincipal(snapshot), Str(assignment["properties"]!["principalId"]));
        }
        // Four assignments in all, each to the app: Secrets User and the three storage roles (no deployer here).
        Assert.Equal(4, snapshot.OfType("Microsoft.Authorization/roleAssignments").Count);

        var container = snapshot.Single("Microsoft.Storage/storageAccounts/blobServices/containers");
        Assert.Equal("None", Str(container["properties"]!["publicAccess"]));
    }

    // ---- helpers -------------------------------------------------------------------------------------

    private static string AppPrincipal(Snapshot snapshot) => Reference(snapshot.AppIdentityId, "2023-01-31", "principalId");

    private static List<JsonObject> RoleAssignments(Snapshot snapshot, string roleId) =>
        snapshot.OfType("Microsoft.Authorization/roleAssignments")
            .Where(r => Str(r["properties"]!["roleDefinitionId"]) ==
                        $"/subscriptions/{InfraSnapshots.SubscriptionId}/providers/Microsoft.Authorization/roleDefinitions/{roleId}")
            .ToList();

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
