using System.Globalization;

namespace EscalationFunctions.Engine.Slack.Messages;

/// <summary>
/// What a rewritten message says of one incident (reference §10.4): still open, "Acknowledged by {who}
/// at {time}" ("Acknowledged at {time}" when nobody is named) or "Resolved at {time}". Resolved wins
/// over acknowledged: it is the later and final word.
/// </summary>
public sealed record IncidentShownState(bool IsOpen, string? AcknowledgedBy, DateTimeOffset? AcknowledgedAt, DateTimeOffset? ResolvedAt)
{
    public static IncidentShownState Open { get; } = new(true, null, null, null);

    public static IncidentShownState Of(string? acknowledgedBy, DateTimeOffset? acknowledgedAt, DateTimeOffset? resolvedAt) =>
        acknowledgedAt is null && resolvedAt is null ? Open : new(false, acknowledgedBy, acknowledgedAt, resolvedAt);

    /// <summary>The line the message shows, with <paramref name="who"/> already made safe for Slack by the caller; null while open.</summary>
    public string? Describe(Func<string, string> who) =>
        IsOpen ? null
        : ResolvedAt is { } resolved ? $"Resolved at {Time(resolved)}"
        : string.IsNullOrWhiteSpace(AcknowledgedBy) ? $"Acknowledged at {Time(AcknowledgedAt!.Value)}"
        : $"Acknowledged by {who(AcknowledgedBy.Trim())} at {Time(AcknowledgedAt!.Value)}";

    /// <summary>UTC, to the minute: the same for everyone in the channel, whatever their time zone.</summary>
    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
}
