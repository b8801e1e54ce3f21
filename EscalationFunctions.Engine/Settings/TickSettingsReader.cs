using Cronos;

namespace EscalationFunctions.Engine.Settings;

/// <summary>Reads the tick's period, batch size and the Functions timer's schedule.</summary>
internal static class TickSettingsReader
{
    public static TickSettings Read(SettingValues values, bool requireTickSchedule)
    {
        var period = values.Milliseconds(SettingNames.TickMs, 60_000, 100, 86_400_000);
        return new TickSettings(
            Period: period,
            BatchSize: values.Int(SettingNames.TickBatchSize, 1_000, 1, 100_000),
            Schedule: TickSchedule(values, period, requireTickSchedule));
    }

    /// <summary>
    /// The Functions timer's NCRONTAB (six fields, seconds first). It must fire at a steady
    /// ESC_TICK_MS, because the lag alerts are thresholds on that period.
    /// </summary>
    private static string? TickSchedule(SettingValues values, TimeSpan period, bool requireTickSchedule)
    {
        var raw = values.Raw(SettingNames.TickSchedule)?.Trim();
        if (string.IsNullOrEmpty(raw))
        {
            if (requireTickSchedule)
            {
                values.Problems.Add($"{SettingNames.TickSchedule} is not set: expected the timer's NCRONTAB schedule agreeing with {SettingNames.TickMs}, e.g. '0 */1 * * * *' for 60000.");
            }
            return null;
        }
        if (!CronExpression.TryParse(raw, CronFormat.IncludeSeconds, out var cron))
        {
            values.Problems.Add($"{SettingNames.TickSchedule}='{raw}' is invalid: expected a 6-field NCRONTAB expression (second minute hour day month day-of-week), e.g. '0 */1 * * * *'.");
            return null;
        }
        var from = new DateTimeOffset(2026, 1, 5, 0, 0, 0, TimeSpan.Zero);
        var fires = cron.GetOccurrences(from, from.AddDays(8), TimeZoneInfo.Utc).Take(50).ToList();
        var gaps = fires.Zip(fires.Skip(1), (a, b) => b - a).Distinct().ToList();
        if (gaps.Count != 1 || gaps[0] != period)
        {
            var every = gaps.Count == 1 ? $"fires every {gaps[0].TotalMilliseconds:F0} ms" : "does not fire at a steady interval";
            values.Problems.Add($"{SettingNames.TickSchedule}='{raw}' is invalid: it {every}, but {SettingNames.TickMs}={period.TotalMilliseconds:F0}; " +
                                "expected a schedule that fires every ESC_TICK_MS (the lag alerts are based on it).");
            return null;
        }
        return raw;
    }
}
