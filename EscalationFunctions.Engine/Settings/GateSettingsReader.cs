using Cronos;

namespace EscalationFunctions.Engine.Settings;

/// <summary>Reads the tick's gates (reference §4.4), the pause window among them.</summary>
internal static class GateSettingsReader
{
    public static GateSettings Read(SettingValues values) => new(
        WorkerEnabled: values.Bool(SettingNames.WorkerEnabled, true),
        Pause: Pause(values),
        V1Enabled: values.Bool(SettingNames.V1, true),
        CanaryPercent: values.Int(SettingNames.CanaryPercent, 100, 0, 100),
        DryRun: values.Bool(SettingNames.DryRun, false));

    private static PauseSchedule? Pause(SettingValues values)
    {
        var cronText = values.Raw(SettingNames.PauseCron);
        var minutes = values.Int(SettingNames.PauseDurationMinutes, 60, 1, 10_080);
        var zoneId = values.Text(SettingNames.PauseTimeZone, "UTC");
        TimeZoneInfo? zone = null;
        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(zoneId);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            values.Problems.Add($"{SettingNames.PauseTimeZone}='{zoneId}' is invalid: expected an IANA time zone such as 'UTC' or 'Europe/Berlin'.");
        }

        if (string.IsNullOrWhiteSpace(cronText))
        {
            return null;
        }
        if (!CronExpression.TryParse(cronText.Trim(), CronFormat.Standard, out var cron))
        {
            values.Problems.Add($"{SettingNames.PauseCron}='{cronText}' is invalid: expected a 5-field cron expression " +
                                "(minute hour day-of-month month day-of-week), e.g. '0 2 * * SAT'.");
            return null;
        }
        return zone is null ? null : new PauseSchedule(cron, cronText.Trim(), TimeSpan.FromMinutes(minutes), zone);
    }
}
