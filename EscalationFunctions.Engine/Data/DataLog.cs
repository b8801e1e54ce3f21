using Microsoft.Extensions.Logging;

namespace EscalationFunctions.Engine.Data;

/// <summary>The data layer's log lines (event ids 5000-5099).</summary>
internal static partial class DataLog
{
    [LoggerMessage(EventId = 5000, Level = LogLevel.Information, Message = "Applied migration {Version} {Name}")]
    public static partial void MigrationApplied(ILogger logger, int version, string name);
}
