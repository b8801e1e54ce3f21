using System.Diagnostics;
using EscalationFunctions.Engine.Endpoints.Audit;
using EscalationFunctions.Engine.Endpoints.Guards;
using Microsoft.Extensions.Logging;

namespace EscalationFunctions.Engine.Endpoints.Pipeline;

/// <summary>
/// Every route's call goes through the same steps, in this order: the method (405), the body limit
/// (413, or 400 for broken framing), the route's guard (ops locks or Slack's signature), the audit
/// row (written first for a call that changes something, which is refused when it cannot be), the
/// route's handler, and one failure mapping (<see cref="FailureAnswers"/>). Every call that gets
/// here is audited and logged in one line: a success at Information, a caller's mistake as one
/// Warning without a stack trace, a failure only where it is mapped (once per database outage).
/// </summary>
public sealed class EndpointPipeline(
    OpsGuard opsGuard,
    SlackGuard slackGuard,
    AuditLog audit,
    EndpointHandlers handlers,
    FailureAnswers failures,
    ILogger<EndpointPipeline> logger)
{
    public async Task<EndpointOutcome> RunAsync(EndpointRoute route, EndpointRequest request, CancellationToken ct)
    {
        var stopwatch = Stopwatch.StartNew();
        var caller = Callers.Anonymous;
        long? auditId = null;
        EndpointOutcome outcome;
        try
        {
            var guard = Precheck(route, request) is { } refusal ? GuardResult.Refused(refusal) : await GuardAsync(route, request, ct);
            caller = guard.Caller;
            if (guard.Refusal is not null)
            {
                outcome = guard.Refusal;
            }
            else if (route.ChangesState && (auditId = await TryBeginAuditAsync(caller, route, request, stopwatch, ct)) is null)
            {
                outcome = EndpointAnswer.Error(503, "audit_unavailable", "The call was not run because its audit row could not be written; try again shortly.");
            }
            else
            {
                outcome = await handlers.For(route).HandleAsync(new EndpointCall(route, request, caller), ct);
                caller = outcome.Caller ?? caller;
            }
        }
        catch (Exception e) when (FailureAnswers.IsAnswered(e, ct))
        {
            outcome = failures.Answer(e, route, ct);
        }

        Log(route, caller, request, outcome);
        await FinishAuditAsync(auditId, caller, route, request, outcome, stopwatch);
        return outcome;
    }

    /// <summary>The checks that need nothing but the request: the method, and whether the body could be read within the limit.</summary>
    private static EndpointAnswer? Precheck(EndpointRoute route, EndpointRequest request)
    {
        if (!string.Equals(request.Method, route.Method, StringComparison.OrdinalIgnoreCase))
        {
            return EndpointAnswer.Error(405, "method_not_allowed", $"Use {route.Method} for /{route.Template}.",
                new Dictionary<string, string> { ["Allow"] = route.Method });
        }
        return request.BodyRead switch
        {
            BodyRead.TooLarge => EndpointAnswer.Error(413, "payload_too_large", $"The request body must be at most {route.MaxBodyBytes} bytes."),
            BodyRead.Malformed => EndpointAnswer.Error(400, "invalid_body", "The request body could not be read (malformed framing)."),
            _ => null,
        };
    }

    private Task<GuardResult> GuardAsync(EndpointRoute route, EndpointRequest request, CancellationToken ct) => route.Guard switch
    {
        RouteGuard.OpsSignature => opsGuard.CheckAsync(route, request, ct),
        RouteGuard.SlackSignature => slackGuard.CheckAsync(request, ct),
        _ => Task.FromResult(new GuardResult(Callers.Anonymous, null)),
    };

    private async Task<long?> TryBeginAuditAsync(string caller, EndpointRoute route, EndpointRequest request, Stopwatch stopwatch, CancellationToken ct)
    {
        try
        {
            return await audit.BeginAsync(caller, route, request.RemoteAddress, stopwatch.Elapsed.TotalMilliseconds, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            failures.AuditFailed(e, route);
            return null;
        }
    }

    // Written even when the caller has gone away (499): the call happened and may have changed something.
    private async Task FinishAuditAsync(long? auditId, string caller, EndpointRoute route, EndpointRequest request, EndpointOutcome outcome,
        Stopwatch stopwatch)
    {
        try
        {
            var durationMs = stopwatch.Elapsed.TotalMilliseconds;
            if (auditId is { } id)
            {
                await audit.CompleteAsync(id, caller, outcome, durationMs, CancellationToken.None);
            }
            else
            {
                await audit.RecordAsync(caller, route, request.RemoteAddress, outcome, durationMs, CancellationToken.None);
            }
            failures.DatabaseReached();
        }
        catch (Exception e)
        {
            failures.AuditFailed(e, route);
        }
    }

    private void Log(EndpointRoute route, string caller, EndpointRequest request, EndpointOutcome outcome)
    {
        var answer = outcome.Answer;
        var subject = outcome.Subject is null ? "" : $" ({outcome.Subject})";
        if (answer.Status < 400)
        {
            EndpointsLog.CallAnswered(logger, route.Name, caller, request.RemoteAddress, answer.Status, subject);
        }
        else if (!outcome.FailureLogged)
        {
            EndpointsLog.CallRefused(logger, route.Name, caller, request.RemoteAddress, answer.Status, answer.Outcome, subject);
        }
        else
        {
            EndpointsLog.CallFailed(logger, route.Name, caller, request.RemoteAddress, answer.Status, answer.Outcome);
        }
    }
}
