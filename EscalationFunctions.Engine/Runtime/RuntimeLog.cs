using Microsoft.Extensions.Logging;

namespace EscalationFunctions.Engine.Runtime;

/// <summary>The runtime's log lines (event ids 5100-5199): a background loop's failures and recovery (<see cref="FailureBackoff"/>).</summary>
internal static partial class RuntimeLog
{
    /// <param name="error">The error's message in one line, already escaped (<see cref="FailureBackoff.OneLine"/>).</param>
    [LoggerMessage(EventId = 5100, Level = LogLevel.Warning,
        Message = "{Activity} failed: {Error} Retrying with backoff up to {MaxDelaySec} s; the next line is when it recovers")]
    public static partial void LoopFailed(ILogger logger, string activity, string error, double maxDelaySec);

    [LoggerMessage(EventId = 5101, Level = LogLevel.Debug, Message = "{Activity} failed ({Failures} in a row)")]
    public static partial void LoopFailedAgain(ILogger logger, Exception error, string activity, int failures);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Information, Message = "{Activity} recovered after {Failures} failed tr{Plural} over {Seconds:0} s")]
    public static partial void LoopRecovered(ILogger logger, string activity, int failures, string plural, double seconds);
}
