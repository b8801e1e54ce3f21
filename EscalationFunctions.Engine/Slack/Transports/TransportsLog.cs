using Microsoft.Extensions.Logging;

namespace EscalationFunctions.Engine.Slack.Transports;

/// <summary>The Slack transports' log lines (event ids 3300-3399).</summary>
internal static partial class TransportsLog
{
    /// <summary>An invalid per-route webhook that falls back to the global one; the text is the table's own warning.</summary>
    [LoggerMessage(EventId = 3300, Level = LogLevel.Warning, Message = "{Warning}")]
    public static partial void WebhookTableWarning(ILogger logger, string warning);
}
