using Cronos;

namespace EscalationFunctions.Engine.Settings;

/// <summary>
/// Pause windows: every match of a 5-field cron, read in an IANA time zone, opens a window of a
/// fixed length. Cronos converts each local match to a UTC instant (DST gaps and overlaps
/// included), and the window length is elapsed time, so a window that spans a DST change is
/// still exactly <see cref="Duration"/> long.
/// </summary>
public sealed record PauseSchedule(CronExpression Cron, string CronText, TimeSpan Duration, TimeZoneInfo TimeZone)
{
    /// <summary>The end of the pause window that contains <paramref name="utcNow"/>, or null when not paused.</summary>
    public DateTimeOffset? PausedUntil(DateTimeOffset utcNow)
    {
        // A window contains now when a match happened in (now - duration, now].
        var windowOpensAfter = utcNow - Duration;
        DateTimeOffset? latestEnd = null;
        foreach (var start in Cron.GetOccurrences(windowOpensAfter, utcNow, TimeZone, fromInclusive: false, toInclusive: true))
        {
            latestEnd = start + Duration;
        }
        return latestEnd;
    }
}
