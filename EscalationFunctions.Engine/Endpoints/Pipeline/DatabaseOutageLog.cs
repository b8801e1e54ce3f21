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
            logger.LogError(error, "The database is unavailable ({Activity} failed); calls that need it get 503 until it is back, " +
                                   "and the next line from here says when", activity);
        }
        else
        {
            logger.LogDebug("The database is still unavailable ({Activity} failed)", activity);
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
        logger.LogWarning("The database is available again after {Seconds:0} s; {Failures} call(s) failed meanwhile",
            time.GetElapsedTime(startedAt).TotalSeconds, failures);
    }
}
