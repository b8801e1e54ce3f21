namespace EscalationFunctions.Engine.Settings;

/// <summary>
/// Slack app mode (reference §10): pages go through the Web API to each route's channel, in threads,
/// and are rewritten when their incident is acknowledged or resolved. The bot token itself is a
/// secret read on use (<see cref="SlackBotTokenProvider"/>), so it is not kept here.
/// </summary>
public sealed class SlackAppSettings
{
    public static readonly Uri DefaultApiBaseUrl = new("https://slack.com/api");

    /// <summary><c>SLACK_CHANNEL</c> and <c>SLACK_ROUTE_CHANNELS</c>.</summary>
    public required SlackChannelTable Channels { get; init; }

    /// <summary><c>SLACK_API_BASE_URL</c>: the Web API's methods are <c>{ApiBaseUrl}/chat.postMessage</c> and so on.</summary>
    public required Uri ApiBaseUrl { get; init; }

    /// <summary>
    /// No token, <c>SLACK_DELIVERY=console</c>: a local rehearsal of app mode, whose posts and rewrites
    /// are printed rather than sent.
    /// </summary>
    public bool Rehearsal { get; init; }

    /// <summary>A bot token's shape (<c>xoxb-</c>, then no spaces), checked at start so a pasted user token or a typo fails at once.</summary>
    public static bool LooksLikeBotToken(string raw)
    {
        var token = raw.Trim();
        return token.StartsWith("xoxb-", StringComparison.Ordinal) && token.Length > 10 && !token.Any(char.IsWhiteSpace);
    }
}
