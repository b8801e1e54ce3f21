namespace EscalationFunctions.Engine.Settings;

public sealed class OpsSettings
{
    /// <summary>One key, or two during rotation (<c>new,old</c>). Empty when ops calls are not configured.</summary>
    public required IReadOnlyList<string> HmacSecrets { get; init; }

    public required string AdminRole { get; init; }
    public required int RateLimitPerMinute { get; init; }

    /// <summary>True when <c>X-MS-CLIENT-PRINCIPAL</c> may be believed (App Service Authentication on, or local development).</summary>
    public required bool TrustPrincipalHeader { get; init; }

    /// <summary>Keys the plain server accepts in <c>x-functions-key</c> or <c>?code=</c>; empty: no key required.</summary>
    public required IReadOnlyList<string> FunctionKeys { get; init; }
}
