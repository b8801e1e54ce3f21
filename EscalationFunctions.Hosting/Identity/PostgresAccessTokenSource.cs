using Azure.Core;
using EscalationFunctions.Engine.Secrets;
using EscalationFunctions.Engine.Untrusted;
using Microsoft.Extensions.Logging;

namespace EscalationFunctions.Hosting.Identity;

/// <summary>
/// The PostgreSQL password under <c>POSTGRES_AUTH=entra</c>: a Microsoft Entra ID access token of
/// the app's identity for Azure Database for PostgreSQL. The connection pool asks every
/// <see cref="RefreshInterval"/>; a token is reused until <see cref="RenewBefore"/> ahead of its
/// expiry and then replaced, so new connections never present an expired token. If renewal fails
/// the pool keeps the previous token (still valid for a while) and asks again within seconds.
/// Token values are never logged.
/// </summary>
public sealed class PostgresAccessTokenSource(
    TokenCredential credential,
    TimeProvider time,
    ILogger<PostgresAccessTokenSource> logger,
    TimeSpan? refreshInterval = null,
    TimeSpan? renewBefore = null) : IPostgresPasswordSource
{
    /// <summary>The audience of Azure Database for PostgreSQL tokens.</summary>
    public const string Scope = "https://ossrdbms-aad.database.windows.net/.default";

    private static readonly TokenRequestContext Request = new([Scope]);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private AccessToken? _current;

    public TimeSpan RefreshInterval { get; } = refreshInterval ?? TimeSpan.FromMinutes(1);

    /// <summary>How long before its expiry a token is replaced (Entra tokens live an hour or more).</summary>
    public TimeSpan RenewBefore { get; } = renewBefore ?? TimeSpan.FromMinutes(10);

    public async ValueTask<string> GetPasswordAsync(CancellationToken ct)
    {
        if (Fresh(_current) is { } token)
        {
            return token;
        }
        await _gate.WaitAsync(ct);
        try
        {
            if (Fresh(_current) is { } other)
            {
                return other; // another caller renewed it meanwhile
            }
            var renewed = await FetchAsync(credential, ct);
            _current = renewed;
            HostingLog.PostgresTokenRenewed(logger, renewed.ExpiresOn);
            return renewed.Token;
        }
        catch (PostgresAccessTokenException e)
        {
            HostingLog.PostgresTokenFailed(logger, e.Message);
            throw;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>One token from <paramref name="credential"/>; a failure says what was asked, never a token or secret.</summary>
    public static async Task<AccessToken> FetchAsync(TokenCredential credential, CancellationToken ct)
    {
        try
        {
            return await credential.GetTokenAsync(Request, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Entra's answer, first line: escaped and cut like any other service's text that gets logged (reference §6.1).
            var reason = UntrustedText.Escape(e.Message.Split('\n', 2)[0].Trim(), 500);
            throw new PostgresAccessTokenException(
                $"No Microsoft Entra ID access token for PostgreSQL (scope {Scope}) could be obtained: {e.GetType().Name}: {reason}", e);
        }
    }

    private string? Fresh(AccessToken? token) =>
        token is { } t && time.GetUtcNow() < t.ExpiresOn - RenewBefore ? t.Token : null;
}
