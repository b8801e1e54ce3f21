namespace EscalationFunctions.Engine.Endpoints.Answers;

/// <summary>The audit details of a Slack click on a button other than Acknowledge (a link button): answered, ignored.</summary>
public sealed record IgnoredActionDetails(string Action, bool Ignored);
