using Microsoft.Extensions.Logging;

namespace EscalationFunctions.Engine.Tick;

/// <summary>The tick's log lines (event ids 2000-2199).</summary>
internal static partial class TickLog
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Ticks do nothing: {Setting}=false (logged once)")]
    public static partial void WorkerDisabledOnce(ILogger logger, string setting);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Ticks paused until {PausedUntil:O} ({Setting}='{Cron}')")]
    public static partial void PausedOnce(ILogger logger, DateTimeOffset pausedUntil, string setting, string cron);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "Ticks escalate nothing: {Setting}=false (logged once)")]
    public static partial void V1OffOnce(ILogger logger, string setting);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Information,
        Message = "Tick escalated {Escalations} incident(s) in {Batches} batch(es); {Skipped} skipped as already recorded, {Deferred} outside the canary, {Quarantined} newly quarantined")]
    public static partial void Escalated(ILogger logger, int escalations, int batches, int skipped, int deferred, int quarantined);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Error,
        Message = "Incident #{Id} could not be quarantined ({Error}) after escalating it failed with {Cause}")]
    public static partial void QuarantineFailed(ILogger logger, long id, string error, string cause);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Error,
        Message = "Incident {IncidentKey} ({KeyLength} characters) quarantined: escalating it failed with {Error}. Other incidents go on; " +
                  "this one is skipped until its row is updated (any UPDATE of the row lifts the quarantine)")]
    public static partial void Quarantined(ILogger logger, string incidentKey, int keyLength, string error);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Information,
        Message = "Dry run: {WouldEscalate} incident(s) would escalate, {WouldSkip} would be skipped as already recorded, {Deferred} outside the canary")]
    public static partial void DryRun(ILogger logger, int wouldEscalate, int wouldSkip, int deferred);
}
