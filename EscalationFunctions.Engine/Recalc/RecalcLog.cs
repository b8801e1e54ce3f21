using Microsoft.Extensions.Logging;

namespace EscalationFunctions.Engine.Recalc;

/// <summary>The SLA recalculation's log lines (event ids 2200-2299).</summary>
internal static partial class RecalcLog
{
    [LoggerMessage(EventId = 2201, Level = LogLevel.Information, Message = "SLA recalculation owed, but another instance is already running it")]
    public static partial void RunningElsewhere(ILogger logger);

    [LoggerMessage(EventId = 2202, Level = LogLevel.Information,
        Message = "Recalculating next_due_at of open incidents (SLA v{Version}: critical {Crit} min, other {Warn} min, snooze {Snooze} min, max level {Max})")]
    public static partial void Recalculating(ILogger logger, long version, int crit, int warn, int snooze, int max);

    [LoggerMessage(EventId = 2203, Level = LogLevel.Information,
        Message = "Recalc batch {Batch}: {PageSize} open incident(s) up to id {LastId}, {Changed} updated ({Updated} so far)")]
    public static partial void Batch(ILogger logger, int batch, int pageSize, long lastId, int changed, int updated);

    [LoggerMessage(EventId = 2204, Level = LogLevel.Information,
        Message = "Recalculated {Updated} of {Scanned} open incident(s) in {Batches} batch(es), {DurationMs:F0} ms")]
    public static partial void Recalculated(ILogger logger, int updated, int scanned, int batches, double durationMs);

    [LoggerMessage(EventId = 2205, Level = LogLevel.Warning,
        Message = "SLA settings differ from the ones in the database; they were updated and open incidents will be recalculated")]
    public static partial void SettingsChanged(ILogger logger);
}
