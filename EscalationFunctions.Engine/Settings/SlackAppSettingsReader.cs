namespace EscalationFunctions.Engine.Settings;

/// <summary>
/// Reads Slack app mode (reference §10): on when <c>SLACK_BOT_TOKEN</c> is set, or, for a local
/// rehearsal, when <c>SLACK_DELIVERY=console</c> and channels are set (messages and rewrites are
/// printed). Every route must have a channel: its own, or <c>SLACK_CHANNEL</c>.
/// </summary>
internal static class SlackAppSettingsReader
{
    /// <returns>Null when pages go to incoming webhooks.</returns>
    public static SlackAppSettings? Read(SettingValues values, SlackDeliveryMode delivery, SlackWebhookTable webhooks)
    {
        var token = values.Raw(SettingNames.SlackBotToken);
        // The channel settings count as set when they name a channel, or try to (an empty object, the
        // example settings' value, names none); their problems matter only in app mode.
        var channelProblems = new List<string>();
        var channels = SlackChannelTable.Parse(values.Raw(SettingNames.SlackChannel), values.Raw(SettingNames.SlackRouteChannels), channelProblems);
        var rehearsal = delivery == SlackDeliveryMode.Console && (channels.Global is not null || channels.Routes.Count > 0 || channelProblems.Count > 0);
        if (string.IsNullOrWhiteSpace(token) && !rehearsal)
        {
            return null;
        }
        if (!string.IsNullOrWhiteSpace(token) && !SlackAppSettings.LooksLikeBotToken(token))
        {
            values.Problems.Add($"{SettingNames.SlackBotToken}={SettingValues.Shown(SettingNames.SlackBotToken, token)} is invalid: expected the app's bot token, 'xoxb-...'.");
        }
        values.Problems.AddRange(channelProblems);
        if (channels.Global is null && !values.Has(SettingNames.SlackChannel)) // a bad one is its own line
        {
            RequireChannelPerRoute(values, channels, webhooks);
        }
        if (!string.IsNullOrWhiteSpace(token) && (values.Has(SettingNames.SlackWebhookUrl) || values.Has(SettingNames.SlackRouteWebhooks)))
        {
            values.Warnings.Add($"{SettingNames.SlackBotToken} is set, so Slack app mode posts to channels: {SettingNames.SlackWebhookUrl} and " +
                                $"{SettingNames.SlackRouteWebhooks} are unused (remove them, or remove the token to go back to webhooks).");
        }
        return new SlackAppSettings
        {
            Channels = channels,
            ApiBaseUrl = values.Url(SettingNames.SlackApiBaseUrl, required: false) ?? SlackAppSettings.DefaultApiBaseUrl,
            Rehearsal = string.IsNullOrWhiteSpace(token),
        };
    }

    private static void RequireChannelPerRoute(SettingValues values, SlackChannelTable channels, SlackWebhookTable webhooks)
    {
        var missing = webhooks.Routes.Keys.Where(r => !channels.Routes.ContainsKey(r)).Order(StringComparer.Ordinal).ToList();
        if (channels.Routes.Count == 0)
        {
            values.Problems.Add($"{SettingNames.SlackChannel} is not set: Slack app mode ({SettingNames.SlackBotToken} is set) needs the channel id " +
                                $"('C...' or 'G...') pages go to, or one per route in {SettingNames.SlackRouteChannels}.");
        }
        else if (missing.Count > 0)
        {
            values.Problems.Add($"{SettingNames.SlackChannel} is not set and {SettingNames.SlackRouteChannels} has no channel for route(s) " +
                                $"{string.Join(", ", missing.Select(r => $"'{Untrusted.UntrustedText.Escape(r)}'"))} named in {SettingNames.SlackRouteWebhooks}: " +
                                $"set {SettingNames.SlackChannel} or give each route a channel.");
        }
    }
}
