using Microsoft.Extensions.Logging;

namespace EscalationFunctions.Engine.Endpoints.Pipeline;

/// <summary>
/// The database's outage as the routes see it (reference §6.1: logs stay readable under failure): the
/// first failed call logs one error with the exception (its one stack trace), the calls that fail
/// while it lasts log nothing above Debug, and the first call that reaches the database again logs
/// one line saying how long it lasted and how many calls it failed. Shared by concurrent calls.
/// </summary>
public sealed class DatabaseOutageLog(ILogger<DatabaseOutageLog> logger, TimeProvider time)
{
    private readonly Lock _lock = new();
    private int _failures;
    private long _startedAt;

    public bool IsDown
    {
        get
        {
            lock (_lock)
            {
                return _failures > 0;
            }
        }
    }

    /// <param name="activity">What failed, for the first line: "health", "writing the audit row of tick".</param>
    public void Failed(Exception error, string activity)
    {
        bool first;
        lock (_lock)
        {
            first = _failures++ == 0;
            if (first)
            {
                _startedAt = time.GetTimestamp();
            }
        }
        if (first)
        {
            EndpointsLog.DatabaseUnavailable(logger, error, activity);
        }
        else
        {
            EndpointsLog.DatabaseStillUnavailable(logger, activity);
        }
    }

    /// <summary>A call reached the database; after an outage, logs that it ended.</summary>
    public void Reached()
    {
        int failures;
        long startedAt;
        lock (_lock)
        {
            if (_failures == 0)
            {
                return;
            }
            (failures, startedAt, _failures) = (_failures, _startedAt, 0);
        }
        EndpointsLog.DatabaseAvailableAgain(logger, time.GetElapsedTime(startedAt).TotalSeconds, failures);
    }
}
