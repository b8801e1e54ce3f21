using System.Globalization;
using EscalationFunctions.Engine.Configuration;
using EscalationFunctions.Engine.Ops;

namespace EscalationFunctions.Engine.Security;

/// <summary>Spec §6 step 4: at most <c>OPS_RATE_LIMIT_PER_MIN</c> calls per caller and endpoint, across instances (else 429).</summary>
public sealed class OpsRateLimitCheck(OpsRateLimiter rateLimiter, EscalationSettings settings)
{
    public async Task<OpsResponse?> CheckAsync(string caller, OpsEndpoint endpoint, CancellationToken ct)
    {
        var limit = settings.Ops.RateLimitPerMinute;
        if (await rateLimiter.TryTakeAsync(caller, endpoint.Name(), limit, ct) is not { } wait)
        {
            return null;
        }
        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        return OpsResponse.Error(429, "rate_limited",
            $"At most {limit} {endpoint.Name()} calls per minute per caller; try again in {seconds} s.",
            new Dictionary<string, string> { ["Retry-After"] = seconds.ToString(CultureInfo.InvariantCulture) });
    }
}
