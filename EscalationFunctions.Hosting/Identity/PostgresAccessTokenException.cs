namespace EscalationFunctions.Hosting.Identity;

/// <summary>The credential gave no token for PostgreSQL.</summary>
public sealed class PostgresAccessTokenException(string message, Exception inner) : Exception(message, inner);
