using System.Globalization;
using EscalationFunctions.Engine.Security;
using EscalationFunctions.Engine.Settings;

namespace EscalationFunctions.Engine.Endpoints.Guards;

/// <summary>Reference §6 step 4: at most <c>OPS_RATE_LIMIT_PER_MIN</c> calls per caller and route, across instances (else 429 with Retry-After).</summary>
public sealed class RateLimitCheck(OpsRateLimiter rateLimiter, EscalationSettings settings)
{
    public async Task<EndpointAnswer?> CheckAsync(string caller, EndpointRoute route, CancellationToken ct)
    {
        var limit = settings.Ops.RateLimitPerMinute;
        if (await rateLimiter.TryTakeAsync(caller, route.Name, limit, ct) is not { } wait)
        {
            return null;
        }
        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        return EndpointAnswer.Error(429, "rate_limited",
            $"At most {limit} {route.Name} calls per minute per caller; try again in {seconds} s.",
            new Dictionary<string, string> { ["Retry-After"] = seconds.ToString(CultureInfo.InvariantCulture) });
    }
}
