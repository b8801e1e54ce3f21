namespace EscalationFunctions.Engine.Settings;

/// <summary>
/// Parses and validates every setting at start-up. A bad value becomes one line in a
/// <see cref="SettingsException"/>; a bad per-route webhook only becomes a warning (that route falls
/// back to <c>SLACK_WEBHOOK_URL</c>, reference §2). Problems are collected instead of stopping at
/// the first, so one run shows every bad setting; they come in the order the groups are read here.
/// </summary>
public static class SettingsReader
{
    public static EscalationSettings Read(Func<string, string?> lookup) => Read(lookup, out _);

    /// <param name="requireTickSchedule">The Functions host needs <c>ESC_TICK_SCHEDULE</c> for its timer; the plain server does not.</param>
    public static EscalationSettings Read(Func<string, string?> lookup, out IReadOnlyList<string> warnings, bool requireTickSchedule = false)
    {
        var values = new SettingValues(lookup);
        var gates = GateSettingsReader.Read(values);
        var sla = SlaSettingsReader.Read(values);
        var tick = TickSettingsReader.Read(values, requireTickSchedule);
        var settings = new EscalationSettings
        {
            Gates = gates,
            Sla = sla,
            Tick = tick,
            Slack = SlackSettingsReader.Read(values, sla.MaxLevel),
            Ops = OpsSettingsReader.Read(values),
            Connections = ConnectionSettingsReader.Read(values),
        };
        warnings = values.Warnings;
        if (values.Problems.Count > 0)
        {
            throw new SettingsException(values.Problems);
        }
        return settings;
    }
}
