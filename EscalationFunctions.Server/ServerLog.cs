using System.Net;

namespace EscalationFunctions.Server;

/// <summary>The plain server's log lines (event ids 6200-6399).</summary>
internal static partial class ServerLog
{
    [LoggerMessage(EventId = 6200, Level = LogLevel.Warning, Message = "Refused {Method} {Path} from {Remote}: no valid function key")]
    public static partial void FunctionKeyRefused(ILogger logger, string method, string path, IPAddress? remote);

    [LoggerMessage(EventId = 6201, Level = LogLevel.Information, Message = "EscalationFunctions server listening on {Urls}; {Mode}. Ctrl+C stops it")]
    public static partial void Listening(ILogger logger, string urls, string mode);

    [LoggerMessage(EventId = 6202, Level = LogLevel.Information, Message = "Stopping: the tick and the Slack posts in flight finish first")]
    public static partial void Stopping(ILogger logger);
}
