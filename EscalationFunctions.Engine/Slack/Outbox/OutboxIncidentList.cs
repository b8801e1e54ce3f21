using EscalationFunctions.Engine.Untrusted;

namespace EscalationFunctions.Engine.Slack.Outbox;

/// <summary>How outbox log lines name the incidents of their rows: the first few, escaped and cut (another system's text, reference §6.1).</summary>
internal static class OutboxIncidentList
{
    /// <summary>Incidents named in a line; the count says how many more there were.</summary>
    internal const int IncidentsShown = 5;

    /// <summary>Each named incident key is cut to this (it is another system's text, reference §6.1).</summary>
    internal const int IncidentKeyShown = 100;

    /// <summary>The incidents of <paramref name="rows"/> for one log line: the first few, escaped and cut, and how many more.</summary>
    public static string Of(IReadOnlyList<OutboxNotification> rows)
    {
        var keys = rows.Select(r => r.IncidentKey).Distinct(StringComparer.Ordinal).ToList();
        var shown = string.Join(", ", keys.Take(IncidentsShown).Select(k => UntrustedText.Escape(k, IncidentKeyShown)));
        return keys.Count > IncidentsShown ? $"{shown} and {keys.Count - IncidentsShown} more" : shown;
    }
}
