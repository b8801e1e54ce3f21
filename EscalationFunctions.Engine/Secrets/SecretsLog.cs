using Microsoft.Extensions.Logging;

namespace EscalationFunctions.Engine.Secrets;

/// <summary>The secrets' log lines (event ids 1100-1199). A secret is named by its setting, never shown.</summary>
internal static partial class SecretsLog
{
    [LoggerMessage(EventId = 1100, Level = LogLevel.Error, Message = "{What} changed to a value that is not valid ({Problem}); the previous value stays in use")]
    public static partial void RotatedToInvalidValue(ILogger logger, string what, string problem);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "{What} was rotated; the new value is in use")]
    public static partial void Rotated(ILogger logger, string what);
}
