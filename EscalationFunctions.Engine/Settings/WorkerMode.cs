using System.Globalization;

namespace EscalationFunctions.Engine.Settings;

/// <summary>
/// The worker's mode in a few words for the start banner: disabled, paused, v1 off, dry run or
/// escalating, and for which share of routes. The gates are named as in reference §4.4, with the
/// setting that closes them, so a reader knows what to change.
/// </summary>
public static class WorkerMode
{
    public static string Describe(EscalationSettings settings, DateTimeOffset utcNow)
    {
        var gates = settings.Gates;
        var parts = new List<string>();
        if (!gates.WorkerEnabled)
        {
            return $"mode: DISABLED ({SettingNames.WorkerEnabled}=false): ticks read and write nothing";
        }
        if (gates.Pause is { } pause)
        {
            parts.Add(pause.PausedUntil(utcNow) is { } until
                ? $"PAUSED until {until.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC ({SettingNames.PauseCron}='{pause.CronText}')"
                : $"pause windows {SettingNames.PauseCron}='{pause.CronText}' in {pause.TimeZone.Id}");
        }
        if (!gates.V1Enabled)
        {
            parts.Add($"{SettingNames.V1}=false: nothing is escalated");
        }
        else
        {
            parts.Add(gates.DryRun ? $"DRY RUN ({SettingNames.DryRun}=true): reports what would escalate, writes nothing" : "escalating");
            parts.Add(gates.CanaryPercent >= 100 ? "every route" : $"canary {gates.CanaryPercent}% of routes ({SettingNames.CanaryPercent})");
        }
        parts.Add(SlackPart(settings.Slack));
        return "mode: " + string.Join(", ", parts);
    }

    private static string SlackPart(SlackSettings slack) => slack.App switch
    {
        { Rehearsal: true } => $"Slack app mode rehearsed: channel posts and rewrites printed to this log ({SettingNames.SlackDelivery}=console, no {SettingNames.SlackBotToken})",
        { } app => $"Slack app mode: posted to channels through {app.ApiBaseUrl.Host} ({SettingNames.SlackBotToken} is set)",
        null when slack.Delivery == SlackDeliveryMode.Console => $"Slack printed to this log ({SettingNames.SlackDelivery}=console)",
        _ => "Slack posted to webhooks",
    };
}
