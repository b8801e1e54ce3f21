using Microsoft.Extensions.Logging;

namespace EscalationFunctions.Engine.Slack.App;

/// <summary>App mode's log lines (event ids 3400-3499).</summary>
internal static partial class SlackAppLog
{
    [LoggerMessage(EventId = 3401, Level = LogLevel.Error,
        Message = "Slack refuses the app's token ({Error}): every message waits, none is dead-lettered, and each channel tries again " +
                  "every minute. Fix or rotate SLACK_BOT_TOKEN (Key Vault secret slack-bot-token); no restart is needed")]
    public static partial void TokenRefused(ILogger logger, string error);

    [LoggerMessage(EventId = 3402, Level = LogLevel.Information,
        Message = "Slack accepts the app's token again after {Seconds:F0} s of refusals; the waiting messages go out now")]
    public static partial void TokenAcceptedAgain(ILogger logger, double seconds);
}
