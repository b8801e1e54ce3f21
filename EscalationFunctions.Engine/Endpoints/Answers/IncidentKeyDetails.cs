namespace EscalationFunctions.Engine.Endpoints.Answers;

/// <summary>The audit details of a call about one incident that changed nothing (a key no incident has). The key is escaped.</summary>
public sealed record IncidentKeyDetails(string IncidentKey);
