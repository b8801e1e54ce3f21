using Microsoft.Extensions.Logging;
using Npgsql;

namespace EscalationFunctions.Engine.Endpoints.Pipeline;

/// <summary>
/// The one answer to a call that failed inside the app, for every route (reference §6.1: never a bare
/// 500): the database out of reach is 503 <c>database_unavailable</c>, logged once per outage; a
/// caller who went away is 499 (the audit row still records the call); anything else is logged
/// with its stack trace and answered 503 <c>internal_error</c>.
/// </summary>
public sealed class FailureAnswers(DatabaseOutageLog outage, ILogger<FailureAnswers> logger)
{
    /// <summary>Whether <see cref="Answer"/> has an answer for <paramref name="error"/>; a cancellation the caller did not ask for is not ours to answer.</summary>
    public static bool IsAnswered(Exception error, CancellationToken ct) =>
        error is not OperationCanceledException || ct.IsCancellationRequested;

    /// <summary>Whether the error means the database could not be reached (rather than a bug or bad data).</summary>
    public static bool IsDatabaseOutage(Exception error, CancellationToken ct) =>
        error is NpgsqlException { IsTransient: true } or TimeoutException && !ct.IsCancellationRequested;

    public EndpointOutcome Answer(Exception error, EndpointRoute route, CancellationToken ct)
    {
        if (IsDatabaseOutage(error, ct))
        {
            outage.Failed(error, route.Name);
            return new EndpointOutcome(EndpointAnswer.Error(503, "database_unavailable",
                "The worker cannot reach its database right now; try again shortly.")) { FailureLogged = true };
        }
        if (error is OperationCanceledException)
        {
            return EndpointAnswer.Error(499, "client_closed_request", "The caller closed the request before it finished.");
        }
        EndpointsLog.CallThrew(logger, error, route.Name);
        return new EndpointOutcome(EndpointAnswer.Error(503, "internal_error",
            "The worker failed to handle the call; its logs say why. Try again shortly.")) { FailureLogged = true };
    }

    /// <summary>An audit row that could not be written: an outage is logged once, anything else each time.</summary>
    public void AuditFailed(Exception error, EndpointRoute route)
    {
        if (IsDatabaseOutage(error, CancellationToken.None))
        {
            outage.Failed(error, $"writing the audit row of {route.Name}");
        }
        else
        {
            EndpointsLog.AuditRowFailed(logger, error, route.Name);
        }
    }

    /// <summary>A call's audit row was written: the database is reachable.</summary>
    public void DatabaseReached() => outage.Reached();
}
