using Cronos;
using EscalationFunctions.Engine.Settings;

namespace EscalationFunctions.Tests.Settings;

/// <summary>
/// Pause windows: each cron match in ESC_PAUSE_TZ opens a window of ESC_PAUSE_DURATION_MIN elapsed
/// minutes. Expected instants are worked out by hand from the zones' published DST rules.
/// </summary>
[Lane(TestLane.Unit)]
public class PauseScheduleTests
{
    private static PauseSchedule Schedule(string cron, int minutes, string zone) =>
        new(CronExpression.Parse(cron, CronFormat.Standard), cron, TimeSpan.FromMinutes(minutes), TimeZoneInfo.FindSystemTimeZoneById(zone));

    private static DateTimeOffset Utc(string iso) => DateTimeOffset.Parse(iso + "Z", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void A_window_opens_at_each_match_and_lasts_the_duration()
    {
        var pause = Schedule("0 2 * * *", 60, "UTC");

        Assert.Null(pause.PausedUntil(Utc("2026-11-23T01:59:59")));
        Assert.Equal(Utc("2026-11-23T03:00:00"), pause.PausedUntil(Utc("2026-11-23T02:00:00")));
        Assert.Equal(Utc("2026-11-23T03:00:00"), pause.PausedUntil(Utc("2026-11-23T02:59:59")));
        Assert.Null(pause.PausedUntil(Utc("2026-11-23T03:00:00")));
    }

    [Fact]
    public void The_cron_is_read_in_the_zone_so_the_UTC_time_moves_with_summer_time()
    {
        var pause = Schedule("0 9 * * *", 30, "Europe/Berlin");

        // Winter: 09:00 CET = 08:00 UTC. Summer: 09:00 CEST = 07:00 UTC.
        Assert.Null(pause.PausedUntil(Utc("2026-01-15T07:10:00")));
        Assert.Equal(Utc("2026-01-15T08:30:00"), pause.PausedUntil(Utc("2026-01-15T08:10:00")));
        Assert.Equal(Utc("2026-07-15T07:30:00"), pause.PausedUntil(Utc("2026-07-15T07:10:00")));
        Assert.Null(pause.PausedUntil(Utc("2026-07-15T08:10:00")));
    }

    [Fact]
    public void A_window_across_the_spring_forward_change_lasts_its_real_duration()
    {
        // New York, 2026-03-08: 02:00 EST jumps to 03:00 EDT. 01:30 EST = 06:30 UTC; +120 min = 08:30 UTC (04:30 EDT).
        // Adding 2 h to the local clock would wrongly end it at 03:30 EDT = 07:30 UTC.
        var pause = Schedule("30 1 * * *", 120, "America/New_York");

        Assert.Equal(Utc("2026-03-08T08:30:00"), pause.PausedUntil(Utc("2026-03-08T06:30:00")));
        Assert.Equal(Utc("2026-03-08T08:30:00"), pause.PausedUntil(Utc("2026-03-08T07:45:00")));
        Assert.Null(pause.PausedUntil(Utc("2026-03-08T08:30:00")));
    }

    [Fact]
    public void A_window_across_the_fall_back_change_lasts_its_real_duration()
    {
        // Berlin, 2026-10-25: 03:00 CEST falls back to 02:00 CET. 01:30 CEST = 23:30 UTC (Oct 24); +120 min = 01:30 UTC.
        // Adding 2 h to the local clock would wrongly end it at 03:30 CET = 02:30 UTC.
        var pause = Schedule("30 1 * * *", 120, "Europe/Berlin");

        Assert.Equal(Utc("2026-10-25T01:30:00"), pause.PausedUntil(Utc("2026-10-24T23:30:00")));
        Assert.Equal(Utc("2026-10-25T01:30:00"), pause.PausedUntil(Utc("2026-10-25T01:15:00")));
        Assert.Null(pause.PausedUntil(Utc("2026-10-25T02:00:00")));
    }

    [Fact]
    public void A_local_time_that_happens_twice_opens_one_window()
    {
        // Berlin, 2026-10-25: 02:30 happens at 00:30 UTC (CEST) and again at 01:30 UTC (CET). Cronos
        // fires a fixed-time job once, at the first of them.
        var pause = Schedule("30 2 * * *", 30, "Europe/Berlin");

        Assert.Equal(Utc("2026-10-25T01:00:00"), pause.PausedUntil(Utc("2026-10-25T00:45:00")));
        Assert.Null(pause.PausedUntil(Utc("2026-10-25T01:45:00")));
    }

    [Fact]
    public void A_local_time_skipped_by_spring_forward_still_opens_its_window()
    {
        // New York, 2026-03-08: 02:30 does not exist. Cronos runs such a job when the clock jumps, at 03:00 EDT = 07:00 UTC.
        var pause = Schedule("30 2 * * *", 60, "America/New_York");

        Assert.Null(pause.PausedUntil(Utc("2026-03-08T06:59:00")));
        Assert.Equal(Utc("2026-03-08T08:00:00"), pause.PausedUntil(Utc("2026-03-08T07:10:00")));
    }
}
