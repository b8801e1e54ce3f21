using System.Text.Json.Nodes;
using EscalationFunctions.Engine.Configuration;

namespace EscalationFunctions.Tests.Infra;

/// <summary>The Function App in the compiled template: Flex Consumption, .NET 10 isolated, and every spec §2 setting.</summary>
[Collection(InfraCollection.Name)]
public class FunctionAppSettingsTests(CompiledInfra infra)
{
    /// <summary>The 21 settings of spec §2, in the spec's order.</summary>
    public static readonly string[] SpecSettings =
    [
        SettingNames.WorkerEnabled, SettingNames.V1, SettingNames.CanaryPercent, SettingNames.DryRun, SettingNames.MaxLevel,
        SettingNames.SnoozeMinutes, SettingNames.PauseCron, SettingNames.PauseDurationMinutes, SettingNames.PauseTimeZone,
        SettingNames.TickMs, SettingNames.CriticalAckMinutes, SettingNames.WarningAckMinutes, SettingNames.OpsHmacSecret,
        SettingNames.OpsAdminRole, SettingNames.OpsRateLimitPerMinute, SettingNames.AppBaseUrl, SettingNames.SlackWebhookUrl,
        SettingNames.SlackRouteWebhooks, SettingNames.PostgresConnectionString, SettingNames.KeyVaultUri,
        SettingNames.ApplicationInsightsConnectionString,
    ];

    /// <summary>The secret settings and their fixed Key Vault secret names (the app reads the same names).</summary>
    public static readonly IReadOnlyDictionary<string, string> KeyVaultSecretNames = new Dictionary<string, string>
    {
        [SettingNames.OpsHmacSecret] = "ops-hmac-secret",
        [SettingNames.SlackWebhookUrl] = "slack-webhook-url",
        [SettingNames.SlackRouteWebhooks] = "slack-route-webhooks",
        [SettingNames.PostgresConnectionString] = "postgres-connection-string",
    };

    [Fact]
    public void Every_spec_setting_is_an_app_setting()
    {
        Assert.Equal(21, SpecSettings.Distinct().Count());
        var settings = InfraResources.AppSettings(infra.Custom());

        var missing = SpecSettings.Where(s => !settings.ContainsKey(s)).ToList();
        Assert.True(missing.Count == 0, "Missing app settings: " + string.Join(", ", missing));
        foreach (var name in SpecSettings)
        {
            Assert.True(settings[name] is string or Symbolic, $"{name} has no string value: {ArmScope.Render(settings[name])}");
        }
        Assert.Contains("ESC_TICK_SCHEDULE", settings.Keys);
    }

    [Fact]
    public void FUNCTIONS_WORKER_RUNTIME_is_absent_and_the_runtime_comes_from_functionAppConfig()
    {
        var root = infra.Custom();
        var settings = InfraResources.AppSettings(root);
        Assert.DoesNotContain(settings.Keys, k => k.Equals("FUNCTIONS_WORKER_RUNTIME", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(settings.Keys, k => k.Equals("FUNCTIONS_EXTENSION_VERSION", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(settings.Keys, k => k.Equals("WEBSITE_AUTH_ENABLED", StringComparison.OrdinalIgnoreCase));

        var (scope, site) = InfraResources.FunctionApp(root);
        var app = (Dictionary<string, object?>)scope.Evaluate(site)!;
        Assert.Equal("functionapp,linux", app["kind"]);
        var config = Obj(Obj(app["properties"])["functionAppConfig"]);
        var runtime = Obj(config["runtime"]);
        Assert.Equal("dotnet-isolated", runtime["name"]);
        Assert.Equal("10.0", runtime["version"]);

        var (planScope, plan) = InfraResources.Single(root, "Microsoft.Web/serverfarms");
        var sku = Obj(Obj(planScope.Evaluate(plan))["sku"]);
        Assert.Equal("FC1", sku["name"]);
        Assert.Equal("FlexConsumption", sku["tier"]);
        Assert.Equal(true, Obj(Obj(planScope.Evaluate(plan))["properties"])["reserved"]);
    }

    [Fact]
    public void The_app_runs_as_one_user_assigned_identity_for_storage_deployment_and_Key_Vault_references()
    {
        var root = infra.Custom();
        var (scope, site) = InfraResources.FunctionApp(root);
        var app = Obj(scope.Evaluate(site));
        var identity = Obj(app["identity"]);
        Assert.Equal("UserAssigned", identity["type"]);
        var identityId = Assert.Single(Obj(identity["userAssignedIdentities"]).Keys);
        Assert.StartsWith("resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', ", identityId);

        var properties = Obj(app["properties"]);
        Assert.Equal(identityId, Text(properties["keyVaultReferenceIdentity"]));
        Assert.Equal(true, properties["httpsOnly"]);
        var deploymentStorage = Obj(Obj(Obj(properties["functionAppConfig"])["deployment"])["storage"]);
        Assert.Equal("blobContainer", deploymentStorage["type"]);
        var auth = Obj(deploymentStorage["authentication"]);
        Assert.Equal("UserAssignedIdentity", auth["type"]);
        Assert.Equal(identityId, Text(auth["userAssignedIdentityResourceId"]));

        // Identity-based host storage: account name, managed identity credential, this identity's client id.
        var settings = InfraResources.AppSettings(root);
        Assert.Equal("managedidentity", settings["AzureWebJobsStorage__credential"]);
        Assert.Equal($"reference({identityId}, '2023-01-31').clientId", Text(settings["AzureWebJobsStorage__clientId"]));
        // The app's own SDK clients (DefaultAzureCredential) need the client id of a user-assigned identity.
        Assert.Equal($"reference({identityId}, '2023-01-31').clientId", Text(settings["AZURE_CLIENT_ID"]));
        var (storageScope, storage) = InfraResources.Single(root, "Microsoft.Storage/storageAccounts");
        Assert.Equal(storageScope.NameOf(storage), Text(settings["AzureWebJobsStorage__accountName"]));
        Assert.DoesNotContain(settings.Keys, k => k.Equals("AzureWebJobsStorage", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Secret_settings_are_Key_Vault_references_to_the_fixed_secret_names()
    {
        var root = infra.Custom();
        var settings = InfraResources.AppSettings(root);
        var (vaultScope, vault) = InfraResources.Single(root, "Microsoft.KeyVault/vaults");
        var vaultName = vaultScope.NameOf(vault);

        foreach (var (setting, secret) in KeyVaultSecretNames)
        {
            Assert.Equal($"@Microsoft.KeyVault(VaultName=⟨{vaultName}⟩;SecretName={secret})", Text(settings[setting]));
        }

        // KEY_VAULT_URI and the Application Insights connection string are read from the resources.
        Assert.Equal($"reference(resourceId('Microsoft.KeyVault/vaults', {vaultName}), '2023-07-01').vaultUri", Text(settings[SettingNames.KeyVaultUri]));
        var (aiScope, appInsights) = InfraResources.Single(root, "Microsoft.Insights/components");
        Assert.Equal($"reference(resourceId('Microsoft.Insights/components', {aiScope.NameOf(appInsights)}), '2020-02-02').ConnectionString",
            Text(settings[SettingNames.ApplicationInsightsConnectionString]));
    }

    [Fact]
    public void Defaults_are_the_safe_first_rollout_values()
    {
        var settings = InfraResources.AppSettings(infra.Default(new Dictionary<string, object?>
        {
            // main.bicepparam reads these from the environment; without them the deployment stops (tested below).
            ["appBaseUrl"] = "https://incidents.example.com",
        }));

        var expected = new Dictionary<string, string>
        {
            [SettingNames.WorkerEnabled] = "true",
            [SettingNames.V1] = "true",
            [SettingNames.CanaryPercent] = "10",
            [SettingNames.DryRun] = "false",
            [SettingNames.MaxLevel] = "7",
            [SettingNames.SnoozeMinutes] = "30",
            [SettingNames.PauseCron] = "",
            [SettingNames.PauseDurationMinutes] = "60",
            [SettingNames.PauseTimeZone] = "UTC",
            [SettingNames.TickMs] = "60000",
            ["ESC_TICK_SCHEDULE"] = "0 */1 * * * *",
            [SettingNames.CriticalAckMinutes] = "5",
            [SettingNames.WarningAckMinutes] = "15",
            [SettingNames.OpsAdminRole] = "ops_admin",
            [SettingNames.OpsRateLimitPerMinute] = "10",
            [SettingNames.AppBaseUrl] = "https://incidents.example.com",
        };
        foreach (var (name, value) in expected)
        {
            Assert.True(settings.TryGetValue(name, out var actual) && actual is string s && s == value,
                $"{name}: expected '{value}', got {ArmScope.Render(settings.GetValueOrDefault(name))}");
        }

        // The canary default comes from main.bicepparam and from the template itself.
        Assert.Equal(10L, infra.DefaultParameters["parameters"]?["escCanaryPct"]?["value"]?.GetValue<long>());
        Assert.Equal(10L, infra.Template["parameters"]?["escCanaryPct"]?["defaultValue"]?.GetValue<long>());
    }

    [Fact]
    public void ESC_TICK_MS_and_the_timer_schedule_follow_escTickMs_for_every_allowed_value()
    {
        var custom = InfraResources.AppSettings(infra.Custom());
        Assert.Equal(CompiledInfra.CustomTickMs.ToString(System.Globalization.CultureInfo.InvariantCulture), custom[SettingNames.TickMs]);
        Assert.Equal("*/30 * * * * *", custom["ESC_TICK_SCHEDULE"]);

        var allowed = AllowedTickValues(infra.Template);
        Assert.Contains(60000L, allowed);
        foreach (var tick in allowed)
        {
            var settings = InfraResources.AppSettings(infra.Custom(new Dictionary<string, object?> { ["escTickMs"] = tick }));
            Assert.Equal(tick.ToString(System.Globalization.CultureInfo.InvariantCulture), settings[SettingNames.TickMs]);
            var schedule = Assert.IsType<string>(settings["ESC_TICK_SCHEDULE"]);
            Assert.True(NcrontabPeriod(schedule) == TimeSpan.FromMilliseconds(tick),
                $"escTickMs={tick}: ESC_TICK_SCHEDULE '{schedule}' does not fire every {tick} ms.");
        }
    }

    [Fact]
    public void A_non_https_APP_BASE_URL_or_a_missing_value_stops_the_deployment()
    {
        var http = Assert.Throws<ArmFailException>(() =>
            InfraResources.AppSettings(infra.Custom(new Dictionary<string, object?> { ["appBaseUrl"] = "http://incidents.example.com" })));
        Assert.Contains("appBaseUrl (APP_BASE_URL) must be an absolute https URL", http.Message);

        // main.bicepparam without APP_BASE_URL in the environment.
        Assert.Equal("", infra.DefaultParameters["parameters"]?["appBaseUrl"]?["value"]?.GetValue<string>());
        Assert.Throws<ArmFailException>(() => InfraResources.AppSettings(infra.Default()));
    }

    /// <summary>The escTickMs values the template allows.</summary>
    public static IReadOnlyList<long> AllowedTickValues(JsonObject template) =>
        (template["parameters"]?["escTickMs"]?["allowedValues"] as JsonArray ?? throw new InvalidOperationException("escTickMs has no allowedValues"))
        .Select(v => v!.GetValue<long>()).ToList();

    /// <summary>The period of a 6-field NCRONTAB expression that fires at even intervals ("*/n" in one field, fixed zeros before it).</summary>
    public static TimeSpan NcrontabPeriod(string schedule)
    {
        var f = schedule.Split(' ');
        Assert.True(f.Length == 6, $"'{schedule}' is not a 6-field NCRONTAB expression (seconds first).");
        (int Max, TimeSpan Unit)[] units = [(60, TimeSpan.FromSeconds(1)), (60, TimeSpan.FromMinutes(1)), (24, TimeSpan.FromHours(1))];
        for (var i = 0; i < units.Length; i++)
        {
            if (f[..i].All(x => x == "0") && f[i].StartsWith("*/", StringComparison.Ordinal) && f[(i + 1)..].All(x => x == "*"))
            {
                var step = int.Parse(f[i][2..], System.Globalization.CultureInfo.InvariantCulture);
                Assert.True(units[i].Max % step == 0, $"'{schedule}' does not fire evenly: {step} does not divide {units[i].Max}.");
                return units[i].Unit * step;
            }
        }
        throw new Xunit.Sdk.XunitException($"'{schedule}' is not an evenly firing schedule.");
    }

    private static Dictionary<string, object?> Obj(object? value) =>
        value as Dictionary<string, object?> ?? throw new Xunit.Sdk.XunitException($"Expected an object, got {ArmScope.Render(value)}");

    private static string Text(object? value) => value switch
    {
        string s => s,
        Symbolic s => s.Text,
        _ => throw new Xunit.Sdk.XunitException($"Expected a string, got {ArmScope.Render(value)}"),
    };
}
