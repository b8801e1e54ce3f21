using System.Net.Http.Headers;

namespace EscalationFunctions.Engine.Slack.Transports;

/// <summary>
/// How long a <c>Retry-After</c> header asks to wait (reference §5.3): seconds, or an HTTP date (a date
/// already past is no wait); null when there is none. The webhook and Web API transports read it alike.
/// </summary>
public static class RetryAfterHeader
{
    public static TimeSpan? Delay(RetryConditionHeaderValue? header, TimeProvider time)
    {
        if (header?.Delta is { } delta)
        {
            return delta;
        }
        if (header?.Date is { } date)
        {
            var wait = date - time.GetUtcNow();
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }
        return null;
    }
}
