using Microsoft.Extensions.Logging;

namespace EscalationFunctions.Engine.Slack.Outbox;

/// <summary>The outgoing queue's log lines (event ids 3000-3099).</summary>
internal static partial class OutboxLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Information,
        Message = "Slack: {Count} page(s) superseded {When}, not posted: their incident was acknowledged or resolved after they were queued ({Incidents})")]
    public static partial void Superseded(ILogger logger, int count, string when, string incidents);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Error, Message = "Slack: {Count} message(s) dead-lettered, not posted again: {Error} ({Incidents})")]
    public static partial void SpentWithoutOutcome(ILogger logger, int count, string error, string incidents);
}
