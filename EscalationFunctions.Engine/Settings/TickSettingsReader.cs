namespace EscalationFunctions.Engine.Settings;

/// <summary>Reads the tick's period and batch size.</summary>
internal static class TickSettingsReader
{
    public static TickSettings Read(SettingValues values) => new(
        Period: values.Milliseconds(SettingNames.TickMs, 60_000, 100, 86_400_000),
        BatchSize: values.Int(SettingNames.TickBatchSize, 1_000, 1, 100_000));
}
