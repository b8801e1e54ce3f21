namespace EscalationFunctions.Engine.Settings;

public sealed class OpsSettings
{
    /// <summary>One key, or two during rotation (<c>new,old</c>). Empty when ops calls are not configured.</summary>
    public required IReadOnlyList<string> HmacSecrets { get; init; }

    public required string AdminRole { get; init; }
    public required int RateLimitPerMinute { get; init; }

    /// <summary>True when <c>X-MS-CLIENT-PRINCIPAL</c> may be believed (App Service Authentication on, or local development).</summary>
    public required bool TrustPrincipalHeader { get; init; }
}
