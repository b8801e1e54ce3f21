using Microsoft.Extensions.Logging;

namespace EscalationFunctions.Hosting;

/// <summary>The Hosting project's log lines (event ids 6000-6199): start-up, Key Vault, the PostgreSQL access token.</summary>
internal static partial class HostingLog
{
    [LoggerMessage(EventId = 6000, Level = LogLevel.Warning, Message = "Configuration: {Warning}")]
    public static partial void ConfigurationWarning(ILogger logger, string warning);

    [LoggerMessage(EventId = 6001, Level = LogLevel.Information, Message = "EscalationFunctions worker started; {Mode}")]
    public static partial void WorkerStarted(ILogger logger, string mode);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Warning,
        Message = "Key Vault: could not read secret '{Secret}' ({Reason}); the last good value stays in use, next try in {RetryS} s")]
    public static partial void VaultReadFailed(ILogger logger, string secret, string reason, double retryS);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Information, Message = "Got a PostgreSQL access token from Microsoft Entra ID, valid until {ExpiresOn:u}.")]
    public static partial void PostgresTokenRenewed(ILogger logger, DateTimeOffset expiresOn);

    [LoggerMessage(EventId = 6004, Level = LogLevel.Warning, Message = "{Problem} The connection pool keeps the previous token and asks again shortly.")]
    public static partial void PostgresTokenFailed(ILogger logger, string problem);
}
