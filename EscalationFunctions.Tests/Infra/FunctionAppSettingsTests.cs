using System.Globalization;
using System.Text.Json.Nodes;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Hosting;
using static EscalationFunctions.Tests.Infra.Snapshot;

namespace EscalationFunctions.Tests.Infra;

/// <summary>The Function App in the snapshot: Flex Consumption, .NET 10 isolated, and every reference §2 setting.</summary>
[Lane(TestLane.Infra)]
[Collection(InfraCollection.Name)]
public class FunctionAppSettingsTests(InfraSnapshots infra)
{
    /// <summary>The 21 settings of reference §2 revision 1.0, in the spec's order.</summary>
    public static readonly string[] SpecSettings =
    [
        SettingNames.WorkerEnabled, SettingNames.V1, SettingNames.CanaryPercent, SettingNames.DryRun, SettingNames.MaxLevel,
        SettingNames.SnoozeMinutes, SettingNames.PauseCron, SettingNames.PauseDurationMinutes, SettingNames.PauseTimeZone,
        SettingNames.TickMs, SettingNames.CriticalAckMinutes, SettingNames.WarningAckMinutes, SettingNames.OpsHmacSecret,
        SettingNames.OpsAdminRole, SettingNames.OpsRateLimitPerMinute, SettingNames.AppBaseUrl, SettingNames.SlackWebhookUrl,
        SettingNames.SlackRouteWebhooks, SettingNames.PostgresConnectionString, SettingNames.KeyVaultUri,
        SettingNames.ApplicationInsightsConnectionString,
    ];

    /// <summary>The settings revision 1.1 adds (reference §2), written as the spec writes them.</summary>
    public static readonly string[] SpecSettings11 =
        ["SLACK_DIGEST_THRESHOLD", "SLACK_DIGEST_MAX", "SLACK_LEVEL_MENTIONS", "SLACK_SIGNING_SECRET", "SLACK_RESPONSE_URL_HOSTS"];

    /// <summary>The secret settings and their fixed Key Vault secret names (the app reads the same names).</summary>
    public static readonly IReadOnlyDictionary<string, string> KeyVaultSecretNames = new Dictionary<string, string>
    {
        [SettingNames.OpsHmacSecret] = "ops-hmac-secret",
        [SettingNames.SlackWebhookUrl] = "slack-webhook-url",
        [SettingNames.SlackRouteWebhooks] = "slack-route-webhooks",
        [SettingNames.PostgresConnectionString] = "postgres-connection-string",
        ["SLACK_SIGNING_SECRET"] = "slack-signing-secret",
        [SettingNames.SlackBotToken] = "slack-bot-token",
    };

    /// <summary>The settings revision 1.2 adds (reference §2): Slack app mode.</summary>
    public static readonly string[] SpecSettings12 =
        [SettingNames.SlackBotToken, SettingNames.SlackChannel, SettingNames.SlackRouteChannels, SettingNames.SlackApiBaseUrl];

    [Fact]
    public void Every_setting_of_revision_1_2_is_an_app_setting_and_the_bot_token_is_read_from_the_vault()
    {
        var settings = infra.Custom.AppSettings;
        var missing = SpecSettings12.Where(s => !settings.ContainsKey(s) && !KeyVaultSecretNames.ContainsKey(s)).ToList();
        Assert.True(missing.Count == 0, "Missing app settings: " + string.Join(", ", missing));
        Assert.Equal("slack-bot-token", KeyVaultSecretNames[SettingNames.SlackBotToken]);
        Assert.DoesNotContain(SettingNames.SlackBotToken, settings.Keys);
        Assert.Equal("https://slack.com/api", settings[SettingNames.SlackApiBaseUrl]);
    }

    [Fact]
    public void Every_spec_setting_including_revision_1_1_is_an_app_setting_or_a_vault_secret()
    {
        var all = SpecSettings.Concat(SpecSettings11).ToList();
        Assert.Equal(26, all.Distinct().Count());
        var settings = infra.Custom.AppSettings;

        var missing = all.Where(s => !settings.ContainsKey(s) && !KeyVaultSecretNames.ContainsKey(s)).ToList();
        Assert.True(missing.Count == 0, "Missing app settings: " + string.Join(", ", missing));
        Assert.Equal("*/30 * * * * *", settings[SettingNames.TickSchedule]);
        Assert.Equal("entra", settings[SettingNames.PostgresAuth]);
    }

    [Fact]
    public void FUNCTIONS_WORKER_RUNTIME_is_absent_and_the_Flex_plan_runs_dotnet_isolated_10()
    {
        var snapshot = infra.Custom;
        var settings = snapshot.AppSettings;
        Assert.DoesNotContain(settings.Keys, k => k.Equals("FUNCTIONS_WORKER_RUNTIME", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(settings.Keys, k => k.Equals("FUNCTIONS_EXTENSION_VERSION", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(settings.Keys, k => k.Equals("WEBSITE_AUTH_ENABLED", StringComparison.OrdinalIgnoreCase));

        var app = snapshot.FunctionApp;
        Assert.Equal("functionapp,linux", Str(app["kind"]));
        var runtime = app["properties"]!["functionAppConfig"]!["runtime"]!;
        Assert.Equal("dotnet-isolated", Str(runtime["name"]));
        Assert.Equal("10.0", Str(runtime["version"]));
        Assert.Equal(40, Num(app["properties"]!["functionAppConfig"]!["scaleAndConcurrency"]!["maximumInstanceCount"]));

        var plan = snapshot.Single("Microsoft.Web/serverfarms");
        Assert.Equal("FC1", Str(plan["sku"]!["name"]));
        Assert.Equal("FlexConsumption", Str(plan["sku"]!["tier"]));
        Assert.True(plan["properties"]!["reserved"]!.GetValue<bool>());
        Assert.Equal(snapshot.IdOf(plan), Str(app["properties"]!["serverFarmId"]));
    }

    [Fact]
    public void The_app_runs_as_one_user_assigned_identity_for_storage_deployment_and_Key_Vault()
    {
        var snapshot = infra.Custom;
        var app = snapshot.FunctionApp;
        Assert.Equal("UserAssigned", Str(app["identity"]!["type"]));
        var identityId = snapshot.AppIdentityId;
        Assert.Equal(snapshot.IdOf(snapshot.Single("Microsoft.ManagedIdentity/userAssignedIdentities")), identityId);

        var properties = app["properties"]!;
        Assert.Null(properties["keyVaultReferenceIdentity"]);   // no Key Vault references to resolve
        Assert.True(properties["httpsOnly"]!.GetValue<bool>());
        var deploymentStorage = properties["functionAppConfig"]!["deployment"]!["storage"]!;
        Assert.Equal("blobContainer", Str(deploymentStorage["type"]));
        Assert.Equal("UserAssignedIdentity", Str(deploymentStorage["authentication"]!["type"]));
        Assert.Equal(identityId, Str(deploymentStorage["authentication"]!["userAssignedIdentityResourceId"]));

        // Identity-based host storage, and the client id DefaultAzureCredential needs for a user-assigned identity.
        var settings = snapshot.AppSettings;
        var clientId = Reference(identityId, "2023-01-31", "clientId");
        Assert.Equal("managedidentity", settings["AzureWebJobsStorage__credential"]);
        Assert.Equal(clientId, settings["AzureWebJobsStorage__clientId"]);
        Assert.Equal(clientId, settings["AZURE_CLIENT_ID"]);
        Assert.Equal(Str(snapshot.Single("Microsoft.Storage/storageAccounts")["name"]), settings["AzureWebJobsStorage__accountName"]);
        Assert.DoesNotContain(settings.Keys, k => k.Equals("AzureWebJobsStorage", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Secret_settings_are_not_app_settings_the_app_reads_the_vault_it_is_given()
    {
        var snapshot = infra.Custom;
        var settings = snapshot.AppSettings;
        var vault = snapshot.Single("Microsoft.KeyVault/vaults");

        // One way for secrets: the app reads them from the vault itself (and again after
        // KEY_VAULT_CACHE_TTL_SEC), so none is an app setting, not even a Key Vault reference.
        Assert.DoesNotContain(KeyVaultSecretNames.Keys, settings.ContainsKey);
        Assert.DoesNotContain(settings.Values, v => v.Contains("@Microsoft.KeyVault(", StringComparison.Ordinal));

        // KEY_VAULT_URI and the Application Insights connection string are read from the resources.
        Assert.Equal(Reference(snapshot.IdOf(vault), "2023-07-01", "vaultUri"), settings[SettingNames.KeyVaultUri]);
        Assert.Equal(Reference(snapshot.IdOf(snapshot.Single("Microsoft.Insights/components")), "2020-02-02", "ConnectionString"),
            settings[SettingNames.ApplicationInsightsConnectionString]);
    }

    [Fact]
    public void Defaults_of_main_bicepparam_are_the_safe_first_rollout_values_and_the_spec_defaults()
    {
        var settings = infra.Default.AppSettings;
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
            [SettingNames.TickSchedule] = "0 */1 * * * *",
            [SettingNames.CriticalAckMinutes] = "5",
            [SettingNames.WarningAckMinutes] = "15",
            [SettingNames.OpsAdminRole] = "ops_admin",
            [SettingNames.OpsRateLimitPerMinute] = "10",
            [SettingNames.AppBaseUrl] = "https://incidents.example.com",
            ["SLACK_DIGEST_THRESHOLD"] = "5",
            ["SLACK_DIGEST_MAX"] = "40",
            ["SLACK_LEVEL_MENTIONS"] = "{}",
            ["SLACK_RESPONSE_URL_HOSTS"] = "hooks.slack.com",
            [SettingNames.PostgresAuth] = "entra",
        };
        foreach (var (name, value) in expected)
        {
            Assert.True(settings.TryGetValue(name, out var actual) && actual == value,
                $"{name}: expected '{value}', got '{settings.GetValueOrDefault(name) ?? "(absent)"}'");
        }
        // azd's AZURE_ENV_NAME names the resources.
        Assert.StartsWith("func-prod-", Str(infra.Default.FunctionApp["name"]));
    }

    [Fact]
    public void The_app_settings_pass_the_apps_own_boot_validation()
    {
        // What the app would read on Azure: the app settings, with resource reads resolved to plausible
        // values, and the secrets it reads from the vault (no slack-bot-token: webhook mode, as deployed
        // by default). The settings reader (boot validation) accepts them as they are.
        var settings = infra.Default.AppSettings.ToDictionary(s => s.Key, s => s.Value switch
        {
            _ when s.Key == SettingNames.KeyVaultUri => "https://kv-example.vault.azure.net/",
            _ when s.Key == SettingNames.ApplicationInsightsConnectionString => "InstrumentationKey=00000000-0000-0000-0000-000000000000",
            _ when s.Value.StartsWith("[reference(", StringComparison.Ordinal) && s.Value.EndsWith(".clientId]", StringComparison.Ordinal) =>
                "2c7f0e1a-3b4d-4e5f-8a9b-0c1d2e3f4a5b",
            _ => s.Value,
        });
        settings[SettingNames.OpsHmacSecret] = "a-rotated-hmac-key-0123456789abcdef";
        settings[SettingNames.SlackWebhookUrl] = "https://hooks.slack.com/services/T0/B0/x";
        settings[SettingNames.SlackRouteWebhooks] = "{}";
        settings[SettingNames.PostgresConnectionString] = "Host=psql.example.com;Database=escalation;Username=id-app;SSL Mode=Require";
        settings["SLACK_SIGNING_SECRET"] = "a-slack-signing-secret-0123456789";
        Assert.DoesNotContain(settings.Values, v => v.StartsWith('[') || v.StartsWith("@Microsoft.KeyVault", StringComparison.Ordinal));

        var (read, _) = HostSettingsReader.Read(settings.GetValueOrDefault, out _, requireTickSchedule: true);
        Assert.Equal(PostgresAuthentication.Entra, read.Connections.PostgresAuth);
        Assert.Equal(TimeSpan.FromMinutes(1), read.Tick.Period);
    }

    [Fact]
    public void ESC_TICK_MS_and_the_timer_schedule_follow_escTickMs()
    {
        foreach (var tick in InfraSnapshots.SampledTicks.Append(InfraSnapshots.CustomTickMs).Append(60000))
        {
            var settings = infra.ForTick(tick).AppSettings;
            Assert.Equal(tick.ToString(CultureInfo.InvariantCulture), settings[SettingNames.TickMs]);
            var schedule = settings[SettingNames.TickSchedule];
            Assert.True(NcrontabPeriod(schedule) == TimeSpan.FromMilliseconds(tick),
                $"escTickMs={tick}: ESC_TICK_SCHEDULE '{schedule}' does not fire every {tick} ms.");
        }
    }

    [Fact]
    public void A_non_https_APP_BASE_URL_stops_the_deployment_naming_the_parameter()
    {
        var failed = infra.Failed("http-base-url");
        Assert.NotEqual(0, failed.ExitCode);
        Assert.Contains("appBaseUrl (APP_BASE_URL) must be an absolute https URL", failed.StdOut + failed.StdErr);
    }

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
                var step = int.Parse(f[i][2..], CultureInfo.InvariantCulture);
                Assert.True(units[i].Max % step == 0, $"'{schedule}' does not fire evenly: {step} does not divide {units[i].Max}.");
                return units[i].Unit * step;
            }
        }
        throw new Xunit.Sdk.XunitException($"'{schedule}' is not an evenly firing schedule.");
    }
}
