namespace EscalationFunctions.Engine.Settings;

/// <summary>Reads the settings that decide when an incident is due.</summary>
internal static class SlaSettingsReader
{
    public static SlaSettings Read(SettingValues values) => new(
        CriticalAckMinutes: values.Int(SettingNames.CriticalAckMinutes, 5, 1, 10_080),
        WarningAckMinutes: values.Int(SettingNames.WarningAckMinutes, 15, 1, 10_080),
        SnoozeMinutes: values.Int(SettingNames.SnoozeMinutes, 30, 0, 10_080),
        MaxLevel: values.Int(SettingNames.MaxLevel, 7, 1, 1_000));
}
