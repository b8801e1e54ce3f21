using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Engine.Tick;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace EscalationFunctions.Tests.Tick;

/// <summary>
/// The tick decides with the database's clock (reference §4.1): an application clock that is ±120 s off
/// changes neither which incidents are due nor whether a pause window is open.
/// </summary>
[Lane(TestLane.Database)]
public class ClockSkewTests(DatabaseFixture fixture) : DatabaseTest(fixture)
{
    private static FakeTimeProvider SkewedClock(int seconds) => new(DateTimeOffset.UtcNow.AddSeconds(seconds));

    [Theory]
    [InlineData(-120)]
    [InlineData(0)]
    [InlineData(120)]
    public async Task Which_incidents_are_due_does_not_depend_on_the_application_clock(int skewSeconds)
    {
        // Due 60 s ago, and due in 60 s, by the database's clock.
        await Incidents.InsertAsync(Db, "OVERDUE", "r", "warning", TimeSpan.FromMinutes(16));
        await Incidents.InsertAsync(Db, "NOT-YET", "r", "warning", TimeSpan.FromMinutes(14));
        await using var engine = InProcessEngine.Create(TestSettings.Environment(Db), SkewedClock(skewSeconds));

        var result = await engine.Ticker.TickAsync();

        Assert.Equal(1, result.Escalations);
        Assert.Equal(1, await Incidents.LevelOfAsync(Db, "OVERDUE"));
        Assert.Equal(0, await Incidents.LevelOfAsync(Db, "NOT-YET"));
    }

    [Theory]
    [InlineData(-120, "UTC")]
    [InlineData(0, "Asia/Kolkata")]
    [InlineData(120, "Asia/Kolkata")]
    [InlineData(120, "America/New_York")]
    public async Task A_pause_window_is_judged_by_the_database_clock(int skewSeconds, string zoneId)
    {
        await Incidents.InsertDueAsync(Db, 3);
        var dbNow = await Db.ScalarAsync<DateTime>("SELECT now()");
        // A window that opened at the start of the previous minute and stays open 60-120 s more by the
        // database's clock: 120 s ahead it would look closed, 120 s behind it would look not yet open.
        var start = new DateTimeOffset(dbNow.Year, dbNow.Month, dbNow.Day, dbNow.Hour, dbNow.Minute, 0, TimeSpan.Zero).AddMinutes(-1);
        var local = TimeZoneInfo.ConvertTime(start, TimeZoneInfo.FindSystemTimeZoneById(zoneId));
        var env = TestSettings.Environment(Db, overrides: new()
        {
            [SettingNames.PauseCron] = $"{local.Minute} {local.Hour} * * *",
            [SettingNames.PauseDurationMinutes] = "3",
            [SettingNames.PauseTimeZone] = zoneId,
        });
        await using var engine = InProcessEngine.Create(env, SkewedClock(skewSeconds));

        var result = await engine.Ticker.TickAsync();

        Assert.Equal(TickOutcome.Paused, result.Outcome);
        Assert.True(result.Paused);
        Assert.Equal(start.AddMinutes(3), result.PausedUntil);
        Assert.Equal(0, await Incidents.EventCountAsync(Db));
        Assert.Equal(1, await Db.ScalarAsync<long>("SELECT count(*) FROM escalation_ticks"));
    }
}
