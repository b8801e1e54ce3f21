using EscalationFunctions.Engine.Untrusted;
using Microsoft.Extensions.Logging;

namespace EscalationFunctions.Engine.Runtime;

/// <summary>
/// How a background loop lives through a failure that repeats (the database is down, say): the
/// wait before the next try doubles from the loop's own period up to <see cref="MaxDelay"/> (never
/// below the period: a slow loop is not made faster), the first failure logs one warning with the
/// error's message, the failures after it only at Debug, and the first success logs one line saying
/// it recovered. A loop calls <see cref="Failed"/> or <see cref="Succeeded"/> after each try.
/// Not thread-safe: one loop owns one instance.
/// </summary>
public sealed class FailureBackoff(string activity, TimeSpan period, ILogger logger, TimeProvider time)
{
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);

    /// <summary>Enough of an error to say what is wrong; a message quoting a whole row is cut.</summary>
    private const int MaxErrorLength = 1_000;

    private int _failures;
    private long _firstFailureAt;

    /// <summary>Failed tries in a row; 0 when the last try succeeded.</summary>
    public int ConsecutiveFailures => _failures;

    /// <summary>Records a failed try and returns how long to wait before the next one.</summary>
    public TimeSpan Failed(Exception error)
    {
        _failures++;
        if (_failures == 1)
        {
            _firstFailureAt = time.GetTimestamp();
            // The message says what is wrong; the stack trace is for Debug, not for every second of an outage.
            RuntimeLog.LoopFailed(logger, activity, OneLine(error), MaxDelay.TotalSeconds);
        }
        RuntimeLog.LoopFailedAgain(logger, error, activity, _failures);
        return DelayAfter(_failures);
    }

    /// <summary>Records a successful try; after failures, logs that the loop recovered.</summary>
    public void Succeeded()
    {
        if (_failures == 0)
        {
            return;
        }
        RuntimeLog.LoopRecovered(logger, activity, _failures, _failures == 1 ? "y" : "ies", time.GetElapsedTime(_firstFailureAt).TotalSeconds);
        _failures = 0;
    }

    /// <summary>The wait after <paramref name="failures"/> failures in a row: period × 2^(n−1), at most <see cref="MaxDelay"/>, at least the period.</summary>
    public TimeSpan DelayAfter(int failures)
    {
        var doubled = period.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 20));
        return TimeSpan.FromMilliseconds(Math.Max(period.TotalMilliseconds, Math.Min(doubled, MaxDelay.TotalMilliseconds)));
    }

    /// <summary>
    /// The error and its root cause in one line: "Failed to connect to 127.0.0.1:5432 (Connection refused)."
    /// Escaped and cut (reference §6.1): a database error can quote a row another system wrote (a
    /// trigger's message with the incident's title, say), control characters and all.
    /// </summary>
    internal static string OneLine(Exception error)
    {
        var root = error.GetBaseException();
        var message = UntrustedText.Escape(
            (root == error || root.Message == error.Message ? error.Message : $"{error.Message.TrimEnd('.')} ({root.Message.TrimEnd('.')})").Trim(),
            MaxErrorLength);
        return message.EndsWith('.') || message.EndsWith('…') ? message : message + ".";
    }
}
