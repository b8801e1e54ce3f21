using System.Globalization;

namespace EscalationFunctions.Engine.Slack.Transports;

/// <summary>
/// The command <see cref="SlackConsoleTransport"/> prints under each message to acknowledge its
/// incident locally. The host knows how its operators call it (a script of the repository, for the
/// local hosts), so the host registers it; <see cref="None"/> prints no command.
/// </summary>
/// <param name="Template">A composite format with <c>{0}</c> for the incident key, already quoted for a POSIX shell.</param>
public sealed record ConsoleAckCommand(string? Template)
{
    public static readonly ConsoleAckCommand None = new((string?)null);

    /// <summary>The command for <paramref name="incidentKey"/>, or null when the host gave no template.</summary>
    public string? For(string incidentKey) =>
        Template is null ? null : string.Format(CultureInfo.InvariantCulture, Template, ShellQuoted(incidentKey));

    /// <summary>The text as one POSIX shell word: single-quoted, each <c>'</c> written as <c>'\''</c>.</summary>
    public static string ShellQuoted(string text) => $"'{text.Replace("'", "'\\''", StringComparison.Ordinal)}'";
}
