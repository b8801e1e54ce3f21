using Microsoft.Extensions.Logging;

namespace EscalationFunctions.Engine.Slack.Transports;

/// <summary>
/// The Slack transports' log lines (event ids 3300-3399). The console transport's (3310-3319) each stand
/// for a message Slack would have shown; every text argument is already escaped by the caller.
/// </summary>
internal static partial class TransportsLog
{
    /// <summary>An invalid per-route webhook that falls back to the global one; the text is the table's own warning.</summary>
    [LoggerMessage(EventId = 3300, Level = LogLevel.Warning, Message = "{Warning}")]
    public static partial void WebhookTableWarning(ILogger logger, string warning);

    [LoggerMessage(EventId = 3310, Level = LogLevel.Information,
        Message = "#{Route}: level {Level}: {Title} ({Severity}) {Url} dedup_key={DedupKey} buttons: {Buttons} acknowledge: {AckCommand}")]
    public static partial void ConsolePage(ILogger logger, string route, int level, string title, string severity, string url,
        string dedupKey, string buttons, string ackCommand);

    [LoggerMessage(EventId = 3311, Level = LogLevel.Information, Message = "chat.update #{Channel} ts {Ts}: {Text}")]
    public static partial void ConsoleUpdate(ILogger logger, string channel, string? ts, string text);

    [LoggerMessage(EventId = 3312, Level = LogLevel.Information,
        Message = "chat.postMessage #{Channel} ts {Ts} (reply in thread {ThreadTs}, also sent to the channel): {Text}")]
    public static partial void ConsoleThreadReply(ILogger logger, string channel, string ts, string threadTs, string text);

    [LoggerMessage(EventId = 3313, Level = LogLevel.Information, Message = "chat.postMessage #{Channel} ts {Ts}: {Text}")]
    public static partial void ConsolePost(ILogger logger, string channel, string ts, string text);

    [LoggerMessage(EventId = 3314, Level = LogLevel.Information, Message = "  acknowledge: {AckCommand}")]
    public static partial void ConsoleAckCommand(ILogger logger, string ackCommand);
}
