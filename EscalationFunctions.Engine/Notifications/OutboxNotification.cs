namespace EscalationFunctions.Engine.Notifications;

/// <summary>A claimed row of <c>notification_outbox</c>: one escalation to announce.</summary>
public sealed record OutboxNotification(
    long Id,
    string DedupKey,
    string IncidentKey,
    int Level,
    string Route,
    string Severity,
    string Title,
    int Attempts);
