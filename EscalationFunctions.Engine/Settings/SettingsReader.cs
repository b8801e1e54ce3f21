namespace EscalationFunctions.Engine.Settings;

/// <summary>
/// Parses and validates every setting of the engine at start-up. A bad value becomes one line in a
/// <see cref="SettingsException"/>; a bad per-route webhook only becomes a warning (that route falls
/// back to <c>SLACK_WEBHOOK_URL</c>, reference §2). Problems are collected instead of stopping at
/// the first, so one run shows every bad setting; they come in the order the groups are read here.
/// The hosts' own settings (timer schedule, function keys, what the platform provides) are read by
/// the hosts, into the same <see cref="SettingValues"/>.
/// </summary>
public static class SettingsReader
{
    public static EscalationSettings Read(Func<string, string?> lookup) => Read(lookup, out _);

    public static EscalationSettings Read(Func<string, string?> lookup, out IReadOnlyList<string> warnings)
    {
        var values = new SettingValues(lookup);
        var settings = Read(values, platformAuthenticatesCallers: false);
        warnings = values.Warnings;
        values.ThrowIfProblems();
        return settings;
    }

    /// <summary>Reads into <paramref name="values"/>, which collects the problems; the caller throws when it has read its own settings too.</summary>
    /// <param name="platformAuthenticatesCallers">The host's platform signs callers in and sets <c>X-MS-CLIENT-PRINCIPAL</c> itself (App Service Authentication).</param>
    public static EscalationSettings Read(SettingValues values, bool platformAuthenticatesCallers)
    {
        var gates = GateSettingsReader.Read(values);
        var sla = SlaSettingsReader.Read(values);
        return new EscalationSettings
        {
            Gates = gates,
            Sla = sla,
            Tick = TickSettingsReader.Read(values),
            Slack = SlackSettingsReader.Read(values, sla.MaxLevel),
            Ops = OpsSettingsReader.Read(values, platformAuthenticatesCallers),
            Connections = ConnectionSettingsReader.Read(values),
        };
    }
}
