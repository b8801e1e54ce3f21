using EscalationFunctions.Engine.Slack.Delivery;
using EscalationFunctions.Engine.Slack.Messages;

namespace EscalationFunctions.Engine.Settings;

/// <summary>
/// Every setting of the worker, parsed and validated once at start-up by <see cref="SettingsReader"/>.
/// Grouped by the part of the engine that reads them. Holders of secrets are classes, not records,
/// so that no generated <c>ToString</c> can print a secret into a log line.
/// </summary>
public sealed class EscalationSettings
{
    public required GateSettings Gates { get; init; }
    public required SlaSettings Sla { get; init; }
    public required TickSettings Tick { get; init; }
    public required SlackSettings Slack { get; init; }
    public required OpsSettings Ops { get; init; }
    public required ConnectionSettings Connections { get; init; }
}

/// <summary>The tick's gates, checked in this order (reference §4.4).</summary>
public sealed record GateSettings(
    bool WorkerEnabled,
    PauseSchedule? Pause,
    bool V1Enabled,
    int CanaryPercent,
    bool DryRun);

/// <summary>
/// The settings that decide when an incident is due. They are copied into the database
/// (table <c>escalation_sla</c>) because the trigger that computes <c>next_due_at</c> for rows
/// written by other systems reads them there.
/// </summary>
public sealed record SlaSettings(int CriticalAckMinutes, int WarningAckMinutes, int SnoozeMinutes, int MaxLevel);

/// <param name="Period"><c>ESC_TICK_MS</c>: the plain server's timer, and the base of the lag alerts.</param>
/// <param name="Schedule"><c>ESC_TICK_SCHEDULE</c>: the Functions timer's NCRONTAB; validated to fire every <paramref name="Period"/>.</param>
public sealed record TickSettings(TimeSpan Period, int BatchSize, string? Schedule = null);

public enum PostgresAuthentication
{
    /// <summary>The password in <c>POSTGRES_CONNECTION_STRING</c> (or none, where the server trusts the client).</summary>
    Password,

    /// <summary>A Microsoft Entra ID access token of the app's identity, fetched and renewed by the host.</summary>
    Entra,
}

public enum SlackDeliveryMode
{
    /// <summary>POST to the route's (or the global) incoming webhook.</summary>
    Webhook,

    /// <summary>Write each message to the log instead of Slack: local runs without a workspace.</summary>
    Console,
}

public sealed class SlackSettings
{
    public required SlackDeliveryMode Delivery { get; init; }

    /// <summary><c>APP_BASE_URL</c> without a trailing slash; incident links are <c>{AppBaseUrl}/incidents/{key}</c>.</summary>
    public required Uri AppBaseUrl { get; init; }

    /// <summary>The webhooks read at start. Valid per-route entries only; invalid ones fall back to the global webhook.</summary>
    public required SlackWebhookTable Webhooks { get; init; }

    public required TimeSpan Timeout { get; init; }

    /// <summary>Minimum time between two posts to one webhook (Slack allows about one per second).</summary>
    public required TimeSpan MinInterval { get; init; }

    /// <summary>Attempts before a notification is dead-lettered.</summary>
    public required int MaxAttempts { get; init; }

    /// <summary>First retry delay; doubled per failed attempt, capped at <see cref="MaxRetryDelay"/>.</summary>
    public required TimeSpan RetryBase { get; init; }

    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary><c>SLACK_DIGEST_THRESHOLD</c>: more escalations than this waiting for one webhook go out as digests (reference §5.2).</summary>
    public int DigestThreshold { get; init; } = 5;

    /// <summary><c>SLACK_DIGEST_MAX</c>: escalations per digest message, 2 to <see cref="SlackDigestBuilder.MaxMembers"/>; 40 by default (reference §5.2).</summary>
    public int DigestMax { get; init; } = DefaultDigestMax;

    /// <summary>
    /// <c>SLACK_DIGEST_MAX</c>'s default since spec 1.2 (20 before): the largest digest, so a storm of
    /// 1,000 escalations on one webhook is 25 posts, within the 30 s storm goal at one post a second.
    /// </summary>
    public const int DefaultDigestMax = 40;

    /// <summary><c>SLACK_LEVEL_MENTIONS</c>: who is mentioned at which level, per route (reference §5.5).</summary>
    public SlackLevelMentions LevelMentions { get; init; } = SlackLevelMentions.None;

    /// <summary><c>SLACK_SIGNING_SECRET</c> as read at start (one, or <c>new,old</c>); empty: acknowledging from Slack is off (reference §9).
    /// Read again on use through <see cref="Security.SlackSigningSecretProvider"/>, so a rotation needs no restart.</summary>
    public IReadOnlyList<string> SigningSecrets { get; init; } = [];

    /// <summary><c>SLACK_RESPONSE_URL_HOSTS</c>: where <c>response_url</c> answers may go.</summary>
    public ResponseUrlHosts ResponseUrlHosts { get; init; } = ResponseUrlHosts.Default;

    /// <summary>Slack app mode (reference §10): null when pages go to incoming webhooks.</summary>
    public SlackAppSettings? App { get; init; }
}

public sealed class OpsSettings
{
    /// <summary>One key, or two during rotation (<c>new,old</c>). Empty when ops calls are not configured.</summary>
    public required IReadOnlyList<string> HmacSecrets { get; init; }

    public required string AdminRole { get; init; }
    public required int RateLimitPerMinute { get; init; }

    /// <summary>True when <c>X-MS-CLIENT-PRINCIPAL</c> may be believed (App Service Authentication on, or local development).</summary>
    public required bool TrustPrincipalHeader { get; init; }

    /// <summary>Keys the plain server accepts in <c>x-functions-key</c> or <c>?code=</c>; empty: no key required.</summary>
    public required IReadOnlyList<string> FunctionKeys { get; init; }
}

public sealed class ConnectionSettings
{
    public required string PostgresConnectionString { get; init; }

    /// <summary>Where the database password comes from (<c>POSTGRES_AUTH</c>).</summary>
    public PostgresAuthentication PostgresAuth { get; init; } = PostgresAuthentication.Password;
    public required Uri? KeyVaultUri { get; init; }

    /// <summary>How long a value read from Key Vault is used before it is read again (<c>KEY_VAULT_CACHE_TTL_SEC</c>).</summary>
    public TimeSpan KeyVaultCacheTtl { get; init; } = TimeSpan.FromMinutes(5);
    public required string? ApplicationInsightsConnectionString { get; init; }
}
