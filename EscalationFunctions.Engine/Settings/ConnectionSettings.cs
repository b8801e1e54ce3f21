namespace EscalationFunctions.Engine.Settings;

public sealed class ConnectionSettings
{
    public required string PostgresConnectionString { get; init; }

    /// <summary>Where the database password comes from (<c>POSTGRES_AUTH</c>).</summary>
    public PostgresAuthentication PostgresAuth { get; init; } = PostgresAuthentication.Password;
    public required Uri? KeyVaultUri { get; init; }

    /// <summary>How long a value read from Key Vault is used before it is read again (<c>KEY_VAULT_CACHE_TTL_SEC</c>).</summary>
    public TimeSpan KeyVaultCacheTtl { get; init; } = TimeSpan.FromMinutes(5);
    public required string? ApplicationInsightsConnectionString { get; init; }
}
