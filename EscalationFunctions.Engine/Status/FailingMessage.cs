namespace EscalationFunctions.Engine.Status;

public sealed record FailingMessage(DateTimeOffset CreatedAt, string Kind, string IncidentKey, int? Level, string? Route, int Attempts,
    DateTimeOffset NextAttemptAt, string? LastError);
