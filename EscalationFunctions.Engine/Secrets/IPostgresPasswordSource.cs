namespace EscalationFunctions.Engine.Secrets;

/// <summary>
/// Where the connection pool takes the PostgreSQL password from when it is not in the connection
/// string: with <c>POSTGRES_AUTH=entra</c>, an access token of the app's identity that the host
/// fetches and renews. The pool asks again every <see cref="RefreshInterval"/> and keeps the
/// previous password when asking fails; the source decides when a new token is due.
/// </summary>
public interface IPostgresPasswordSource
{
    TimeSpan RefreshInterval { get; }

    ValueTask<string> GetPasswordAsync(CancellationToken ct);
}
