using Microsoft.Extensions.Logging;

namespace EscalationFunctions.Engine.Slack.Delivery;

/// <summary>The Slack sender's log lines: lanes, posts and their outcomes (event ids 3100-3299).</summary>
internal static partial class DeliveryLog
{
    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning,
        Message = "Slack {Message} to the {Destination} was abandoned in flight as the worker stops; the next holder posts it again")]
    public static partial void PostAbandoned(ILogger logger, string message, string destination);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning, Message = "Slack {Destination} rate-limited the {Message}; retrying in {RetryMs:F0} ms")]
    public static partial void RateLimited(ILogger logger, string destination, string message, double retryMs);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Error, Message = "Slack {Destination} refused the {Message}, dead-lettered: {Error}")]
    public static partial void Refused(ILogger logger, string destination, string message, string? error);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Error, Message = "Slack {Message} to the {Destination} is dead-lettered after {Attempts} attempt(s): {Error}")]
    public static partial void DeadAfterAttempts(ILogger logger, string message, string destination, int attempts, string? error);

    [LoggerMessage(EventId = 3105, Level = LogLevel.Warning,
        Message = "Slack {Message} to the {Destination} failed (attempt {Attempt} of {MaxAttempts}): {Error}; retrying in {RetryMs:F0} ms")]
    public static partial void PostFailed(ILogger logger, string message, string destination, int attempt, int maxAttempts, string? error, double retryMs);

    [LoggerMessage(EventId = 3106, Level = LogLevel.Warning, Message = "Slack lanes could not be handed back after their first claim failed")]
    public static partial void LanesNotHandedBack(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3107, Level = LogLevel.Error, Message = "Slack lane for the {Destination} stopped")]
    public static partial void LaneStopped(ILogger logger, Exception exception, string destination);

    [LoggerMessage(EventId = 3108, Level = LogLevel.Warning,
        Message = "Slack lane for the {Destination} was taken over after its lease ran out; it stops before its next post")]
    public static partial void LaneTakenOver(ILogger logger, string destination);

    [LoggerMessage(EventId = 3109, Level = LogLevel.Warning, Message = "Could not renew the Slack lane for the {Destination}")]
    public static partial void LaneRenewalFailed(ILogger logger, Exception exception, string destination);
}
