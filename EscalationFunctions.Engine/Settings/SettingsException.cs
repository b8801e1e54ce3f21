namespace EscalationFunctions.Engine.Settings;

/// <summary>
/// Start-up configuration is invalid. Each entry of <see cref="Problems"/> is one readable line that
/// names the setting, shows the value (masked when it is a secret) and says what is expected.
/// </summary>
public sealed class SettingsException(IReadOnlyList<string> problems)
    : Exception(string.Join(Environment.NewLine, problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
