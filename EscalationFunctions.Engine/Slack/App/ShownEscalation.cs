using EscalationFunctions.Engine.Slack.Outbox;

namespace EscalationFunctions.Engine.Slack.App;

/// <summary>One escalation as a posted message shows it (<c>slack_messages.shows</c>): enough to render the message again.</summary>
public sealed record ShownEscalation(string DedupKey, string IncidentKey, int Level, string Route, string Severity, string Title)
{
    public static ShownEscalation Of(OutboxNotification n) => new(n.DedupKey, n.IncidentKey, n.Level, n.Route, n.Severity, n.Title);

    /// <summary>As the builders take it (id and attempts mean nothing here).</summary>
    public OutboxNotification AsNotification() => new(0, DedupKey, IncidentKey, Level, Route, Severity, Title, 0);
}
