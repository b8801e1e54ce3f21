namespace EscalationFunctions.Engine.Settings;

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

    /// <summary>
    /// The most escalations one digest may list, the upper bound of <c>SLACK_DIGEST_MAX</c>: a header, one
    /// block each and a context block stay within Slack's 50 blocks.
    /// </summary>
    public const int MaxDigestMembers = 40;

    /// <summary><c>SLACK_DIGEST_MAX</c>: escalations per digest message, 2 to <see cref="MaxDigestMembers"/>; 40 by default (reference §5.2).</summary>
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
