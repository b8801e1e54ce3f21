using EscalationFunctions.Engine.Slack.Outbox;
using EscalationFunctions.Engine.Untrusted;

namespace EscalationFunctions.Engine.Slack.Messages;

/// <summary>
/// One post: a single escalation, a digest of several (reference §5.2), or a click answer.
/// <see cref="DedupKey"/> goes into the <c>X-Dedup-Key</c> header and equals the JSON's <c>dedup_key</c>;
/// a click answer has none.
/// </summary>
public sealed record SlackMessage(IReadOnlyList<OutboxNotification> Members, string? DedupKey, string Json)
{
    /// <summary>App mode (reference §10): where in the channel it goes, a thread to reply in, or the message it rewrites; null for a webhook.</summary>
    public SlackAppTarget? App { get; init; }

    public bool IsRewrite => Members[0].Kind == OutgoingKind.MessageUpdate;

    public bool IsDigest => Members.Count > 1;

    public bool IsClickAnswer => Members[0].Kind == OutgoingKind.ClickAnswer;

    /// <summary>
    /// Safe to log: which escalations the message carries. The key is another system's text, so it
    /// is escaped and cut (reference §6.1): every log line about a post names its message through this.
    /// </summary>
    public string Describe() => IsClickAnswer
        ? $"answer to the click on {UntrustedText.Escape(Members[0].IncidentKey)}"
        : IsRewrite
        ? $"rewrite of message {App?.UpdateTs} after {UntrustedText.Escape(Members[0].IncidentKey)} changed"
        : IsDigest
        ? $"digest of {Members.Count} escalations ({UntrustedText.Escape(Members[0].IncidentKey)} level {Members[0].Level} and {Members.Count - 1} more)"
        : $"message for {UntrustedText.Escape(Members[0].IncidentKey)} level {Members[0].Level}";
}
