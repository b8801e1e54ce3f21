using System.Reflection;

namespace EscalationFunctions.Engine.Settings;

/// <summary>
/// The names of every setting (environment variable / app setting). The first block is the public
/// contract of reference §2; the second block holds implementation settings, documented there too.
/// </summary>
public static class SettingNames
{
    public const string WorkerEnabled = "ESCALATION_WORKER_ENABLED";
    public const string V1 = "ESCALATION_V1";
    public const string CanaryPercent = "ESC_CANARY_PCT";
    public const string DryRun = "ESC_DRY_RUN";
    public const string MaxLevel = "MAX_ESC_LEVEL";
    public const string SnoozeMinutes = "ESC_SNOOZE_MIN";
    public const string PauseCron = "ESC_PAUSE_CRON";
    public const string PauseDurationMinutes = "ESC_PAUSE_DURATION_MIN";
    public const string PauseTimeZone = "ESC_PAUSE_TZ";
    public const string TickMs = "ESC_TICK_MS";
    public const string CriticalAckMinutes = "ESC_CRIT_ACK_MIN";
    public const string WarningAckMinutes = "ESC_WARN_ACK_MIN";
    public const string OpsHmacSecret = "OPS_HMAC_SECRET";
    public const string OpsAdminRole = "OPS_ADMIN_ROLE";
    public const string OpsRateLimitPerMinute = "OPS_RATE_LIMIT_PER_MIN";
    public const string AppBaseUrl = "APP_BASE_URL";
    public const string SlackWebhookUrl = "SLACK_WEBHOOK_URL";
    public const string SlackRouteWebhooks = "SLACK_ROUTE_WEBHOOKS";
    public const string PostgresConnectionString = "POSTGRES_CONNECTION_STRING";
    public const string KeyVaultUri = "KEY_VAULT_URI";
    public const string ApplicationInsightsConnectionString = "APPLICATIONINSIGHTS_CONNECTION_STRING";
    public const string SlackDigestThreshold = "SLACK_DIGEST_THRESHOLD";
    public const string SlackDigestMax = "SLACK_DIGEST_MAX";
    public const string SlackLevelMentions = "SLACK_LEVEL_MENTIONS";
    public const string SlackSigningSecret = "SLACK_SIGNING_SECRET";
    public const string SlackResponseUrlHosts = "SLACK_RESPONSE_URL_HOSTS";
    public const string SlackBotToken = "SLACK_BOT_TOKEN";
    public const string SlackChannel = "SLACK_CHANNEL";
    public const string SlackRouteChannels = "SLACK_ROUTE_CHANNELS";
    public const string SlackApiBaseUrl = "SLACK_API_BASE_URL";

    public const string TickBatchSize = "ESC_BATCH_SIZE";
    public const string SlackDelivery = "SLACK_DELIVERY";
    public const string SlackTimeoutMs = "SLACK_TIMEOUT_MS";
    public const string SlackMinIntervalMs = "SLACK_MIN_INTERVAL_MS";
    public const string SlackMaxAttempts = "SLACK_MAX_ATTEMPTS";
    public const string SlackRetryBaseMs = "SLACK_RETRY_BASE_MS";
    public const string OpsTrustPrincipalHeader = "OPS_TRUST_PRINCIPAL_HEADER";
    public const string KeyVaultCacheTtlSeconds = "KEY_VAULT_CACHE_TTL_SEC";
    public const string PostgresAuth = "POSTGRES_AUTH";

    // Read by the hosts, not the engine (EscalationFunctions.Hosting's HostSettingsReader); named here
    // with the others so that one list covers secret masking and the unresolved-vault-reference check.
    public const string WebsiteAuthEnabled = "WEBSITE_AUTH_ENABLED";
    public const string OpsFunctionKey = "OPS_FUNCTION_KEY";
    public const string TickSchedule = "ESC_TICK_SCHEDULE";

    /// <summary>
    /// Every name above, in the order written: for checks that must cover each setting (an unresolved
    /// vault reference, a child process's environment, the reference's list) without a list of their own.
    /// </summary>
    public static readonly IReadOnlyList<string> All = typeof(SettingNames)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral && f.FieldType == typeof(string))
        .Select(f => (string)f.GetRawConstantValue()!)
        .ToArray();

    /// <summary>Settings whose values are secrets: never printed, logged or echoed in errors.</summary>
    public static readonly IReadOnlySet<string> Secrets = new HashSet<string>(StringComparer.Ordinal)
    {
        OpsHmacSecret, SlackWebhookUrl, SlackRouteWebhooks, PostgresConnectionString,
        ApplicationInsightsConnectionString, OpsFunctionKey, SlackSigningSecret, SlackBotToken,
    };
}
