using Microsoft.Extensions.Logging;
using Npgsql;

namespace EscalationFunctions.Engine.Ops;

/// <summary>
/// The answer to a call that failed inside the app (spec §6.1: never a bare 500), shared by the ops
/// handler and the Slack interaction handler so both refuse the same failures the same way: the
/// database out of reach is 503 <c>database_unavailable</c>, a caller who went away is 499 (the
/// audit row still records the call), anything else is logged and 503 <c>internal_error</c>.
/// </summary>
public static class OpsFailure
{
    /// <summary>Whether <see cref="Answer"/> has an answer for <paramref name="error"/>; a cancellation the caller did not ask for is not ours to answer.</summary>
    public static bool IsAnswered(Exception error, CancellationToken ct) =>
        error is not OperationCanceledException || ct.IsCancellationRequested;

    /// <param name="activity">What failed, as the log line names it ("Ops tick", "Slack interaction").</param>
    /// <param name="internalErrorMessage">The sentence of the <c>internal_error</c> answer.</param>
    public static OpsResponse Answer(Exception error, CancellationToken ct, ILogger logger, string activity, string internalErrorMessage)
    {
        if (error is NpgsqlException { IsTransient: true } or TimeoutException && !ct.IsCancellationRequested)
        {
            logger.LogError(error, "{Activity}: the database is unavailable", activity);
            return OpsResponse.Error(503, "database_unavailable", "The worker cannot reach its database right now; try again shortly.");
        }
        if (error is OperationCanceledException)
        {
            return OpsResponse.Error(499, "client_closed_request", "The caller closed the request before it finished.");
        }
        logger.LogError(error, "{Activity} failed", activity);
        return OpsResponse.Error(503, "internal_error", internalErrorMessage);
    }
}
