namespace EscalationFunctions.Engine.Slack.Outbox;

/// <summary>
/// A claimed row of <c>notification_outbox</c>, the one queue of everything posted to Slack (reference §5.7).
/// A page carries its escalation (dedup key, level, route, severity, title), from which its message
/// is composed when posted. A click answer carries the JSON prepared when the click was answered in
/// <see cref="Body"/>; it has no escalation, so its page fields are empty (<see cref="ClickAnswer"/>).
/// </summary>
public sealed record OutboxNotification(
    long Id,
    string DedupKey,
    string IncidentKey,
    int Level,
    string Route,
    string Severity,
    string Title,
    int Attempts,
    OutgoingKind Kind = OutgoingKind.Page,
    string? Body = null)
{
    /// <summary>The message a <see cref="OutgoingKind.MessageUpdate"/> rewrites (<c>slack_messages.id</c>).</summary>
    public long? SlackMessageId { get; init; }

    /// <summary>A rewrite of posted message <paramref name="slackMessageId"/>, queued after <paramref name="incidentKey"/> changed.</summary>
    public static OutboxNotification MessageUpdate(long id, string incidentKey, int attempts, long slackMessageId) =>
        new(id, "", incidentKey, 0, "", "", "", attempts, OutgoingKind.MessageUpdate) { SlackMessageId = slackMessageId };

    /// <summary>A click answer about <paramref name="incidentKey"/> (the click's value, as stored).</summary>
    public static OutboxNotification ClickAnswer(long id, string incidentKey, int attempts, string body) =>
        new(id, "", incidentKey, 0, "", "", "", attempts, OutgoingKind.ClickAnswer, body);
}
