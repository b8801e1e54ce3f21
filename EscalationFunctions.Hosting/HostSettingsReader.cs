using Cronos;
using EscalationFunctions.Engine.Settings;

namespace EscalationFunctions.Hosting;

/// <summary>
/// Reads the engine's settings and the hosts' own in one pass, so one run shows every bad setting
/// of either kind. The engine's problems come first, then the hosts'.
/// </summary>
public static class HostSettingsReader
{
    /// <summary>Set by App Service on each instance.</summary>
    public const string WebsiteInstanceId = "WEBSITE_INSTANCE_ID";

    /// <param name="requireTickSchedule">The Functions host needs <c>ESC_TICK_SCHEDULE</c> for its timer; the plain server does not.</param>
    public static (EscalationSettings Engine, HostSettings Host) Read(Func<string, string?> lookup, out IReadOnlyList<string> warnings,
        bool requireTickSchedule = false)
    {
        var values = new SettingValues(lookup);
        var platformAuthenticatesCallers = values.Bool(SettingNames.WebsiteAuthEnabled, false);
        var engine = SettingsReader.Read(values, platformAuthenticatesCallers);
        var host = new HostSettings
        {
            TickSchedule = TickSchedule(values, engine.Tick.Period, requireTickSchedule),
            FunctionKeys = values.List(SettingNames.OpsFunctionKey, minLength: 16, maxItems: 10,
                "expected one or more comma-separated keys of at least 16 characters"),
            PlatformAuthenticatesCallers = platformAuthenticatesCallers,
            Instance = Instance(values.Raw(WebsiteInstanceId)),
        };
        warnings = values.Warnings;
        values.ThrowIfProblems();
        return (engine, host);
    }

    private static WorkerInstance Instance(string? azureInstanceId) =>
        new(string.IsNullOrWhiteSpace(azureInstanceId)
            ? $"{Environment.MachineName}:{Environment.ProcessId}"
            : azureInstanceId.Length > 16 ? azureInstanceId[..16] : azureInstanceId);

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
