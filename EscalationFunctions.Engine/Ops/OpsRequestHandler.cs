using System.Diagnostics;
using EscalationFunctions.Engine.Acknowledge;
using EscalationFunctions.Engine.Configuration;
using EscalationFunctions.Engine.Escalation;
using EscalationFunctions.Engine.Security;
using Microsoft.Extensions.Logging;

namespace EscalationFunctions.Engine.Ops;

/// <summary>
/// The ops endpoints of spec §6, host-neutral. Orchestrates only: the method, then for <c>tick</c>
/// and <c>recalc</c> the checks of <see cref="OpsAuthorization"/>, then the audit row, then the
/// work. <c>health</c> needs only the host's function key. Every call is audited, and a call that
/// changes something runs only once its audit row is written. A client's mistake is a 4xx with a
/// JSON error; anything that still fails is a JSON 503, never a bare 500.
/// </summary>
public sealed class OpsRequestHandler(
    EscalationSettings settings,
    OpsAuthorization authorization,
    EscalationTicker ticker,
    SlaRecalculator recalculator,
    IncidentAcknowledger acknowledger,
    WorkerStatusReader statusReader,
    OpsAuditLog audit,
    ILogger<OpsRequestHandler> logger)
{
    public async Task<OpsResponse> HandleAsync(OpsEndpoint endpoint, OpsRequest request, CancellationToken ct)
    {
        var stopwatch = Stopwatch.StartNew();
        var caller = OpsCallerCheck.Anonymous;
        long? auditId = null;
        object? details = null;
        OpsResponse response;
        try
        {
            OpsResponse? refusal;
            (caller, refusal) = await RefusalAsync(endpoint, request, ct);
            if (refusal is not null)
            {
                response = refusal;
            }
            else if (endpoint == OpsEndpoint.Health)
            {
                response = await HealthAsync(ct);
            }
            else if ((auditId = await audit.TryBeginAsync(caller, endpoint, request.RemoteAddress, stopwatch.Elapsed.TotalMilliseconds, ct)) is null)
            {
                response = OpsResponse.Error(503, "audit_unavailable", "The call was not run because its audit row could not be written; try again shortly.");
            }
            else
            {
                (response, details) = await RunAsync(endpoint, request, caller, ct);
            }
        }
        catch (Exception e) when (OpsFailure.IsAnswered(e, ct))
        {
            response = OpsFailure.Answer(e, ct, logger, $"Ops {endpoint.Name()}",
                "The worker failed to handle the call; its logs say why. Try again shortly.");
        }

        if (response.Status >= 400)
        {
            logger.LogWarning("Ops {Endpoint} by {Caller} from {Remote} refused: {Status} {Outcome}",
                endpoint.Name(), caller, request.RemoteAddress, response.Status, response.Outcome);
        }
        else
        {
            logger.LogInformation("Ops {Endpoint} by {Caller} from {Remote}: {Status}", endpoint.Name(), caller, request.RemoteAddress, response.Status);
        }
        await audit.FinishAsync(auditId, caller, endpoint, request.RemoteAddress, response, stopwatch.Elapsed.TotalMilliseconds, details);
        return response;
    }

    /// <summary>The caller to audit, and why the call may not run (null when it may).</summary>
    private async Task<(string Caller, OpsResponse? Refusal)> RefusalAsync(OpsEndpoint endpoint, OpsRequest request, CancellationToken ct)
    {
        if (!string.Equals(request.Method, endpoint.Method(), StringComparison.OrdinalIgnoreCase))
        {
            return (OpsCallerCheck.Anonymous, OpsResponse.Error(405, "method_not_allowed", $"Use {endpoint.Method()} for /{endpoint.Route()}.",
                new Dictionary<string, string> { ["Allow"] = endpoint.Method() }));
        }
        return endpoint == OpsEndpoint.Health ? (OpsCallerCheck.Anonymous, null) : await authorization.AuthorizeAsync(endpoint, request, ct);
    }

    private async Task<(OpsResponse Response, object Details)> RunAsync(OpsEndpoint endpoint, OpsRequest request, string caller, CancellationToken ct)
    {
        if (endpoint == OpsEndpoint.Tick)
        {
            var tick = (await ticker.TickAsync(ct)).Report();
            return (OpsResponse.Ok(tick), tick);
        }
        if (endpoint == OpsEndpoint.Ack)
        {
            return await AcknowledgeAsync(request.IncidentKey, caller, ct);
        }
        var recalc = await recalculator.RecalculateAsync(ct);
        var body = new
        {
            updated = recalc.Updated,
            scanned = recalc.Scanned,
            batches = recalc.Batches,
            slaVersion = recalc.SlaVersion,
            durationMs = Math.Round(recalc.DurationMs, 1),
        };
        return (OpsResponse.Ok(body), body);
    }

    /// <summary>Spec §6.2: acknowledged by the caller's (escaped) name; a second call changes nothing; an unknown key is 404.</summary>
    private async Task<(OpsResponse Response, object Details)> AcknowledgeAsync(string? incidentKey, string caller, CancellationToken ct)
    {
        var ack = IncidentKeyText.CanExist(incidentKey) ? await acknowledger.AcknowledgeAsync(incidentKey!, caller, ct) : null;
        if (ack is null)
        {
            return (OpsResponse.Error(404, "incident_not_found", "No incident has this key."), new { incidentKey = UntrustedText.Escape(incidentKey) });
        }
        var body = ack.Answer();
        return (OpsResponse.Ok(body), body);
    }

    private async Task<OpsResponse> HealthAsync(CancellationToken ct)
    {
        var status = await statusReader.ReadAsync(ct);
        var gates = settings.Gates;
        var pausedUntil = gates.Pause?.PausedUntil(status.DatabaseTime);
        return OpsResponse.Ok(new
        {
            enabled = gates.WorkerEnabled,
            v1 = gates.V1Enabled,
            canaryPct = gates.CanaryPercent,
            tickLagMs = status.TickLagMs is { } lag ? Math.Round(lag) : (double?)null,
            dryRun = gates.DryRun,
            paused = pausedUntil is not null,
            lastTickAt = status.LastTickAt,
            pendingNotifications = status.PendingNotifications,
            deadNotifications = status.DeadNotifications,
            quarantinedIncidents = status.QuarantinedIncidents,
            queueLagMs = Math.Round(status.QueueLagMs),
            pausedUntil,
        });
    }
}
