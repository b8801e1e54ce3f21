using System.Diagnostics;
using System.Globalization;
using EscalationFunctions.Engine.Acknowledge;
using EscalationFunctions.Engine.Configuration;
using EscalationFunctions.Engine.Escalation;
using EscalationFunctions.Engine.Security;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace EscalationFunctions.Engine.Ops;

/// <summary>
/// The ops endpoints of spec §6, host-neutral. <c>tick</c> and <c>recalc</c> pass these checks in
/// this order: body size (413) and framing (400), signature and replay (401), caller and role
/// (401/403), rate limit (429). <c>health</c> needs only the host's function key. Every call is
/// audited; a client's mistake is always a 4xx with a JSON error, never a 5xx.
/// </summary>
public sealed class OpsRequestHandler(
    EscalationSettings settings,
    HmacKeyProvider hmacKeys,
    SignatureReplayGuard replayGuard,
    OpsRateLimiter rateLimiter,
    EscalationTicker ticker,
    SlaRecalculator recalculator,
    IncidentAcknowledger acknowledger,
    WorkerStatusReader statusReader,
    OpsAuditLog audit,
    TimeProvider time,
    ILogger<OpsRequestHandler> logger)
{
    private const string Anonymous = "anonymous";

    public async Task<OpsResponse> HandleAsync(OpsEndpoint endpoint, OpsRequest request, CancellationToken ct)
    {
        var stopwatch = Stopwatch.StartNew();
        var call = new Call();
        OpsResponse response;
        try
        {
            response = await DispatchAsync(endpoint, request, call, ct);
        }
        catch (Exception e) when (e is NpgsqlException { IsTransient: true } or TimeoutException && !ct.IsCancellationRequested)
        {
            logger.LogError(e, "Ops {Endpoint}: the database is unavailable", endpoint.Name());
            response = OpsResponse.Error(503, "database_unavailable", "The worker cannot reach its database right now; try again shortly.");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Ops {Endpoint} failed", endpoint.Name());
            response = OpsResponse.Error(500, "internal_error", "The worker failed to handle the call; its logs say why.");
        }

        if (response.Status >= 400)
        {
            logger.LogWarning("Ops {Endpoint} by {Caller} from {Remote} refused: {Status} {Outcome}",
                endpoint.Name(), call.Caller, request.RemoteAddress, response.Status, response.Outcome);
        }
        else
        {
            logger.LogInformation("Ops {Endpoint} by {Caller} from {Remote}: {Status}", endpoint.Name(), call.Caller, request.RemoteAddress, response.Status);
        }

        try
        {
            await audit.RecordAsync(call.Caller, endpoint, response, request.RemoteAddress, stopwatch.Elapsed.TotalMilliseconds, call.Details, CancellationToken.None);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            logger.LogError(e, "Ops {Endpoint} by {Caller}: could not write the audit row", endpoint.Name(), call.Caller);
        }
        return response;
    }

    private async Task<OpsResponse> DispatchAsync(OpsEndpoint endpoint, OpsRequest request, Call call, CancellationToken ct)
    {
        if (!string.Equals(request.Method, endpoint.Method(), StringComparison.OrdinalIgnoreCase))
        {
            return OpsResponse.Error(405, "method_not_allowed", $"Use {endpoint.Method()} for /{RouteOf(endpoint)}.",
                new Dictionary<string, string> { ["Allow"] = endpoint.Method() });
        }
        if (endpoint == OpsEndpoint.Health)
        {
            return await HealthAsync(ct);
        }

        if (await AuthorizeAsync(endpoint, request, call, ct) is { } refused)
        {
            return refused;
        }

        if (endpoint == OpsEndpoint.Tick)
        {
            var result = await ticker.TickAsync(ct);
            var body = TickBody(result);
            call.Details = body;
            return OpsResponse.Ok(body);
        }

        if (endpoint == OpsEndpoint.Ack)
        {
            return await AcknowledgeAsync(request, call, ct);
        }

        var recalc = await recalculator.RecalculateAsync(ct);
        var recalcBody = new
        {
            updated = recalc.Updated,
            scanned = recalc.Scanned,
            batches = recalc.Batches,
            slaVersion = recalc.SlaVersion,
            durationMs = Math.Round(recalc.DurationMs, 1),
        };
        call.Details = recalcBody;
        return OpsResponse.Ok(recalcBody);
    }

    /// <summary>The checks of spec §6 in its order; null when the call may proceed.</summary>
    private async Task<OpsResponse?> AuthorizeAsync(OpsEndpoint endpoint, OpsRequest request, Call call, CancellationToken ct)
    {
        // 1. Body: its size, and that it could be read at all.
        switch (request.BodyRead)
        {
            case OpsBodyRead.TooLarge:
                return OpsResponse.Error(413, "payload_too_large", $"The request body must be at most {OpsRequest.MaxBodyBytes} bytes.");
            case OpsBodyRead.Malformed:
                return OpsResponse.Error(400, "invalid_body", "The request body could not be read (malformed framing).");
        }

        // 2. Signature, then replay.
        var keys = await hmacKeys.GetKeysAsync(ct);
        if (keys.Count == 0)
        {
            return OpsResponse.Error(503, "signing_not_configured",
                $"{SettingNames.OpsHmacSecret} is not set on the worker, so signed ops calls cannot be verified.");
        }
        var signature = request.Header(HmacRequestSignature.SignatureHeader);
        var check = HmacRequestSignature.Verify(keys, request.Header(HmacRequestSignature.TimestampHeader), signature, request.Body, time.GetUtcNow());
        if (check != SignatureCheck.Valid)
        {
            return check switch
            {
                SignatureCheck.Missing => Unauthorized("missing_signature",
                    $"Sign the call: send {HmacRequestSignature.TimestampHeader} and {HmacRequestSignature.SignatureHeader}."),
                SignatureCheck.BadTimestamp => Unauthorized("invalid_timestamp", $"{HmacRequestSignature.TimestampHeader} must be unix time in seconds."),
                SignatureCheck.StaleTimestamp => Unauthorized("stale_timestamp",
                    $"{HmacRequestSignature.TimestampHeader} must be within {HmacRequestSignature.Tolerance.TotalSeconds:F0} seconds of the server's time."),
                SignatureCheck.BadFormat => Unauthorized("invalid_signature", $"{HmacRequestSignature.SignatureHeader} must be 'sha256=' followed by 64 hex digits."),
                _ => Unauthorized("signature_mismatch", "The signature does not match the timestamp and body."),
            };
        }
        if (!await replayGuard.TryAcceptAsync(signature!, ct))
        {
            return Unauthorized("replayed_signature", "This signature was already used; sign every call afresh.");
        }

        // 3. Caller and role.
        var principalHeader = request.Header(ClientPrincipal.Header);
        if (string.IsNullOrWhiteSpace(principalHeader))
        {
            return Unauthorized("missing_principal", $"No caller: {ClientPrincipal.Header} is missing (sign in through App Service Authentication).");
        }
        if (!ClientPrincipal.TryParse(principalHeader, out var principal))
        {
            return Unauthorized("invalid_principal", $"{ClientPrincipal.Header} must be base64-encoded JSON with a claims array.");
        }
        if (!settings.Ops.TrustPrincipalHeader)
        {
            call.Caller = "unverified:" + principal.Name;
            return OpsResponse.Error(403, "untrusted_principal",
                $"{ClientPrincipal.Header} is not trusted because App Service Authentication is off " +
                $"({SettingNames.WebsiteAuthEnabled} is not True), so no caller has a role.");
        }
        call.Caller = principal.Name;
        if (!principal.HasRole(settings.Ops.AdminRole))
        {
            return OpsResponse.Error(403, "missing_role", $"The caller does not hold the role '{settings.Ops.AdminRole}'.");
        }

        // 4. Rate limit, per caller and endpoint, across all instances.
        if (await rateLimiter.TryTakeAsync(principal.Name, endpoint.Name(), settings.Ops.RateLimitPerMinute, ct) is { } wait)
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
            return OpsResponse.Error(429, "rate_limited",
                $"At most {settings.Ops.RateLimitPerMinute} {endpoint.Name()} calls per minute per caller; try again in {seconds} s.",
                new Dictionary<string, string> { ["Retry-After"] = seconds.ToString(CultureInfo.InvariantCulture) });
        }
        return null;
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
            queueLagMs = Math.Round(status.QueueLagMs),
            pausedUntil,
        });
    }

    private static object TickBody(TickResult r) => new
    {
        escalations = r.Escalations,
        skippedIdempotent = r.SkippedIdempotent,
        dryRun = r.DryRun,
        paused = r.Paused,
        outcome = r.Outcome switch
        {
            TickOutcome.Disabled => "disabled",
            TickOutcome.Paused => "paused",
            TickOutcome.V1Off => "v1Off",
            TickOutcome.DryRun => "dryRun",
            _ => "ran",
        },
        enabled = r.Enabled,
        v1 = r.V1,
        canaryPct = r.CanaryPct,
        deferredByCanary = r.DeferredByCanary,
        wouldEscalate = r.WouldEscalate,
        wouldEscalateKeys = r.WouldEscalateKeys,
        recalculated = r.Recalculated,
        batches = r.Batches,
        pausedUntil = r.PausedUntil,
        durationMs = Math.Round(r.DurationMs, 1),
    };

    /// <summary>Spec §6.2: acknowledged by the caller's name; a second call changes nothing; an unknown key is 404.</summary>
    private async Task<OpsResponse> AcknowledgeAsync(OpsRequest request, Call call, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(request.IncidentKey))
        {
            return OpsResponse.Error(400, "missing_incident_key", "Name the incident: POST /ops/incidents/{incident_key}/ack.");
        }
        var ack = IncidentKeyText.CanExist(request.IncidentKey) ? await acknowledger.AcknowledgeAsync(request.IncidentKey, call.Caller, ct) : null;
        if (ack is null)
        {
            call.Details = new { incidentKey = string.Concat(request.IncidentKey.Take(200).Select(c => char.IsControl(c) || char.IsSurrogate(c) ? '\uFFFD' : c)) };
            return OpsResponse.Error(404, "incident_not_found", "No incident has this key.");
        }
        var body = ack.Answer();
        call.Details = body;
        return OpsResponse.Ok(body);
    }

    private static OpsResponse Unauthorized(string code, string message) => OpsResponse.Error(401, code, message);

    private static string RouteOf(OpsEndpoint endpoint) => endpoint switch
    {
        OpsEndpoint.Tick => OpsRoutes.Tick,
        OpsEndpoint.Recalc => OpsRoutes.Recalc,
        OpsEndpoint.Ack => OpsRoutes.Ack,
        OpsEndpoint.SlackInteractions => OpsRoutes.SlackInteractions,
        _ => OpsRoutes.Health,
    };

    /// <summary>What the audit row will say about the call, filled in as the checks pass.</summary>
    private sealed class Call
    {
        public string Caller { get; set; } = Anonymous;
        public object? Details { get; set; }
    }
}
