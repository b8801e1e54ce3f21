using Microsoft.Extensions.Logging;

namespace EscalationFunctions.Functions;

/// <summary>The Functions app's log lines (event ids 6400-6499).</summary>
internal static partial class FunctionsLog
{
    [LoggerMessage(EventId = 6400, Level = LogLevel.Information, Message = "Escalation timer fired (past due: {IsPastDue})")]
    public static partial void TimerFired(ILogger logger, bool isPastDue);
}
