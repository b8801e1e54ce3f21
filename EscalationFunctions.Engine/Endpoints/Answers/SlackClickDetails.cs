namespace EscalationFunctions.Engine.Endpoints.Answers;

/// <summary>The audit details of an Acknowledge click; text is escaped.</summary>
/// <param name="ReplyRefused">Why no answer will be posted to the click's <c>response_url</c>, when none will.</param>
public sealed record SlackClickDetails(
    string IncidentKey,
    bool Found,
    bool? AlreadyAcknowledged,
    string? AcknowledgedBy,
    bool ReplyQueued,
    string? ReplyRefused);
