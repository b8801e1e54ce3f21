using EscalationFunctions.Engine.Secrets;

namespace EscalationFunctions.Engine.Settings;

/// <summary>
/// Reads how pages reach Slack: delivery mode, webhooks, pacing and retries, digests, mentions, and
/// what acknowledging from Slack needs. A bad per-route webhook is only a warning (that route falls
/// back to <c>SLACK_WEBHOOK_URL</c>, reference §2).
/// </summary>
internal static class SlackSettingsReader
{
    /// <param name="maxLevel"><c>MAX_ESC_LEVEL</c>: the highest level <c>SLACK_LEVEL_MENTIONS</c> may name.</param>
    public static SlackSettings Read(SettingValues values, int maxLevel)
    {
        var delivery = values.Enum(SettingNames.SlackDelivery, SlackDeliveryMode.Webhook);
        var appBaseUrl = values.Url(SettingNames.AppBaseUrl, required: true);
        var problemsBefore = values.Problems.Count;
        var webhooks = SlackWebhookTable.Parse(values.Raw(SettingNames.SlackWebhookUrl), values.Raw(SettingNames.SlackRouteWebhooks), values.Problems, values.Warnings);
        var webhookProblems = values.Problems.Count > problemsBefore;
        var app = SlackAppSettingsReader.Read(values, delivery, webhooks);
        CrossGroupRules.RequireSlackDestination(values, delivery, webhooks, app, webhookProblems);

        return new SlackSettings
        {
            Delivery = delivery,
            AppBaseUrl = appBaseUrl ?? new Uri("https://invalid.example"),
            Webhooks = webhooks,
            Timeout = values.Milliseconds(SettingNames.SlackTimeoutMs, 10_000, 100, 120_000),
            MinInterval = values.Milliseconds(SettingNames.SlackMinIntervalMs, 1_000, 0, 60_000),
            MaxAttempts = values.Int(SettingNames.SlackMaxAttempts, 12, 1, 100),
            RetryBase = values.Milliseconds(SettingNames.SlackRetryBaseMs, 5_000, 10, 3_600_000),
            DigestThreshold = values.Int(SettingNames.SlackDigestThreshold, 5, 1, int.MaxValue),
            DigestMax = values.Int(SettingNames.SlackDigestMax, SlackSettings.DefaultDigestMax, 2, SlackSettings.MaxDigestMembers),
            LevelMentions = LevelMentions(values, maxLevel),
            SigningSecrets = SigningSecrets(values),
            ResponseUrlHosts = ResponseUrlHosts(values),
            App = app,
        };
    }

    private static IReadOnlyList<string> SigningSecrets(SettingValues values)
    {
        var raw = values.Raw(SettingNames.SlackSigningSecret);
        if (SecretFormats.TryParseSlackSigningSecrets(raw, out var secrets, out var problem))
        {
            return secrets;
        }
        values.Problems.Add($"{SettingNames.SlackSigningSecret}={SettingValues.Shown(SettingNames.SlackSigningSecret, raw!)} is invalid: {problem}.");
        return [];
    }

    private static ResponseUrlHosts ResponseUrlHosts(SettingValues values)
    {
        var raw = values.Raw(SettingNames.SlackResponseUrlHosts);
        if (Settings.ResponseUrlHosts.TryParse(raw, out var hosts, out var problem))
        {
            return hosts;
        }
        values.AddOneLine($"{SettingNames.SlackResponseUrlHosts}='{raw!.Trim()}' is invalid: {problem}.");
        return Settings.ResponseUrlHosts.Default;
    }

    private static SlackLevelMentions LevelMentions(SettingValues values, int maxLevel)
    {
        var raw = values.Raw(SettingNames.SlackLevelMentions);
        if (SlackLevelMentions.TryParse(raw, maxLevel, out var mentions, out var problem))
        {
            return mentions;
        }
        // JSON may span lines and hold control characters; the error stays one line.
        values.AddOneLine($"{SettingNames.SlackLevelMentions}='{raw!.Trim()}' is invalid: {problem}." +
                          JsonSettingHint.For(SettingNames.SlackLevelMentions, raw, """{"*":{"3":"<!here>"}}"""));
        return SlackLevelMentions.None;
    }
}
