using Microsoft.Extensions.Logging;

namespace EscalationFunctions.Engine.Endpoints;

/// <summary>The endpoints' log lines (event ids 4000-4199): one line per call, the database's outage, failed calls and Slack clicks.</summary>
internal static partial class EndpointsLog
{
    [LoggerMessage(EventId = 4000, Level = LogLevel.Information, Message = "{Route} by {Caller} from {Remote}: {Status}{Subject}")]
    public static partial void CallAnswered(ILogger logger, string route, string caller, string? remote, int status, string subject);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "{Route} by {Caller} from {Remote} refused: {Status} {Outcome}{Subject}")]
    public static partial void CallRefused(ILogger logger, string route, string caller, string? remote, int status, string outcome, string subject);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Debug, Message = "{Route} by {Caller} from {Remote} failed: {Status} {Outcome}")]
    public static partial void CallFailed(ILogger logger, string route, string caller, string? remote, int status, string outcome);

    [LoggerMessage(EventId = 4010, Level = LogLevel.Error,
        Message = "The database is unavailable ({Activity} failed); calls that need it get 503 until it is back, and the next line from here says when")]
    public static partial void DatabaseUnavailable(ILogger logger, Exception error, string activity);

    [LoggerMessage(EventId = 4011, Level = LogLevel.Debug, Message = "The database is still unavailable ({Activity} failed)")]
    public static partial void DatabaseStillUnavailable(ILogger logger, string activity);

    [LoggerMessage(EventId = 4012, Level = LogLevel.Warning, Message = "The database is available again after {Seconds:0} s; {Failures} call(s) failed meanwhile")]
    public static partial void DatabaseAvailableAgain(ILogger logger, double seconds, int failures);

    [LoggerMessage(EventId = 4020, Level = LogLevel.Error, Message = "The {Route} call failed")]
    public static partial void CallThrew(ILogger logger, Exception error, string route);

    [LoggerMessage(EventId = 4021, Level = LogLevel.Error, Message = "Could not write the audit row of a {Route} call")]
    public static partial void AuditRowFailed(ILogger logger, Exception error, string route);

    /// <param name="refusal">Already escaped by the caller (<c>UntrustedText.Escape</c>).</param>
    [LoggerMessage(EventId = 4030, Level = LogLevel.Warning, Message = "Slack click by {Caller} on {Incident}: no answer will be posted, {Refusal}")]
    public static partial void ClickAnswerRefused(ILogger logger, string caller, string incident, string refusal);

    /// <param name="error">Already escaped by the caller (<c>UntrustedText.Escape</c>).</param>
    [LoggerMessage(EventId = 4031, Level = LogLevel.Warning, Message = "The Slack answer about {Incident} was not posted now ({Error}); the next delivery pass posts it")]
    public static partial void ClickAnswerDeferred(ILogger logger, string incident, string error);
}
