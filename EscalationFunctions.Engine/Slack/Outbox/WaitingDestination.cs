namespace EscalationFunctions.Engine.Slack.Outbox;

/// <summary>Messages that may be sent now go here: a page to its route's webhook, a click answer to its own destination.</summary>
public sealed record WaitingDestination(OutgoingKind Kind, string? Route, string? Destination);
