using System.Diagnostics;
using EscalationFunctions.Engine.Acknowledge;
using EscalationFunctions.Engine.Configuration;
using EscalationFunctions.Engine.Ops;
using EscalationFunctions.Engine.Security;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace EscalationFunctions.Engine.Interactions;

/// <summary>What a Slack click came to: the answer to Slack, the queued <c>response_url</c> answer to post right after it, and what to audit.</summary>
public sealed record SlackInteractionResult(OpsResponse Response, long? ReplyId, object? Details);

/// <summary>
/// <c>POST /slack/interactions</c> (spec §9), host-neutral. In this order: method, body size,
/// Slack's signature (before anything is read from the body; 401), the <c>block_actions</c> payload
/// (400), then the acknowledgement as <c>slack:{user.id}</c> together with the queued
/// <c>response_url</c> answer, in one transaction, once the click's audit row is written (as for
/// the ops calls that change something). Every call is audited. The answer to Slack
/// never waits for the <c>response_url</c> post, which the host starts once the answer is sent.
/// </summary>
public sealed class SlackInteractionHandler(
    EscalationSettings settings,
    SlackSigningSecretProvider signing,
    IncidentAcknowledger acknowledger,
    NpgsqlDataSource db,
    OpsAuditLog audit,
    TimeProvider time,
    ILogger<SlackInteractionHandler> logger)
{
    public async Task<SlackInteractionResult> HandleAsync(OpsRequest request, CancellationToken ct)
    {
        var stopwatch = Stopwatch.StartNew();
        var caller = OpsCallerCheck.Anonymous;
        long? auditId = null;
        object? details = null;
        SlackInteractionResult result;
        try
        {
            SlackInteraction? click;
            (click, caller, result) = await CheckAsync(request, ct);
            if (click is null)
            {
                details = result.Details;
            }
            else if ((auditId = await audit.TryBeginAsync(caller, OpsEndpoint.SlackInteractions, request.RemoteAddress, stopwatch.Elapsed.TotalMilliseconds, ct)) is null)
            {
                result = Refuse(OpsResponse.Error(503, "audit_unavailable", "The click was not handled because its audit row could not be written."));
            }
            else
            {
                result = await AcknowledgeAsync(click, caller, ct);
                details = result.Details;
            }
        }
        catch (Exception e) when (OpsFailure.IsAnswered(e, ct))
        {
            result = Refuse(OpsFailure.Answer(e, ct, logger, "Slack interaction", "The worker failed to handle the click; its logs say why."));
        }

        var response = result.Response;
        if (response.Status >= 400)
        {
            logger.LogWarning("Slack interaction by {Caller} from {Remote} refused: {Status} {Outcome}", caller, request.RemoteAddress, response.Status,
                response.Outcome);
        }
        else
        {
            logger.LogInformation("Slack interaction by {Caller} from {Remote}: {Status}", caller, request.RemoteAddress, response.Status);
        }
        await audit.FinishAsync(auditId, caller, OpsEndpoint.SlackInteractions, request.RemoteAddress, response, stopwatch.Elapsed.TotalMilliseconds, details);
        return result;
    }

    /// <summary>
    /// Method, body, signature and payload. Returns the click to acknowledge, or null with the
    /// answer already decided (a refusal, or a click on another button, which changes nothing).
    /// </summary>
    private async Task<(SlackInteraction? Click, string Caller, SlackInteractionResult Result)> CheckAsync(OpsRequest request, CancellationToken ct)
    {
        const string anonymous = OpsCallerCheck.Anonymous;
        if (!string.Equals(request.Method, "POST", StringComparison.OrdinalIgnoreCase))
        {
            return (null, anonymous, Refuse(OpsResponse.Error(405, "method_not_allowed", $"Use POST for /{OpsRoutes.SlackInteractions}.",
                new Dictionary<string, string> { ["Allow"] = "POST" })));
        }
        switch (request.BodyRead)
        {
            case OpsBodyRead.TooLarge:
                return (null, anonymous, Refuse(OpsResponse.Error(413, "payload_too_large", $"The request body must be at most {OpsRequest.MaxSlackBodyBytes} bytes.")));
            case OpsBodyRead.Malformed:
                return (null, anonymous, Refuse(OpsResponse.Error(400, "invalid_body", "The request body could not be read (malformed framing).")));
        }
        if (SignatureRefusal(await signing.GetSecretsAsync(ct), request) is { } badSignature)
        {
            return (null, anonymous, Refuse(badSignature));
        }
        if (!SlackInteraction.TryParse(request.Body, out var click, out var problem))
        {
            return (null, anonymous, Refuse(OpsResponse.Error(400, "invalid_payload", $"Not a Slack block_actions interaction: {problem}.")));
        }
        var caller = IncidentAcknowledger.SlackPrefix + click.UserId;
        if (!click.IsAcknowledge)
        {
            // Link buttons report their clicks too; Slack shows an error unless it gets a 200.
            return (null, caller, new(OpsResponse.Ok(new { ok = true }), null, new { action = UntrustedText.Escape(click.ActionId), ignored = true }));
        }
        return (click, caller, new(OpsResponse.Ok(new { ok = true }), null, null));
    }

    private async Task<SlackInteractionResult> AcknowledgeAsync(SlackInteraction click, string caller, CancellationToken ct)
    {
        var key = click.Value!;
        var responseUrl = settings.Slack.ResponseUrlHosts.Allow(click.ResponseUrl, out var refusal);
        if (responseUrl is null)
        {
            logger.LogWarning("Slack interaction by {Caller}: no answer will be posted, {Refusal}", caller, UntrustedText.Escape(refusal));
        }

        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var ack = await acknowledger.AcknowledgeAsync(conn, tx, key, caller, ct);
        var reply = ack is null ? SlackReplyBuilder.UnknownIncident(click) : SlackReplyBuilder.Acknowledged(click, ack);
        long? replyId = responseUrl is null ? null : await SlackReplyOutbox.EnqueueAsync(conn, tx, key, responseUrl, reply, ct);
        await tx.CommitAsync(ct);

        var details = new
        {
            incidentKey = UntrustedText.Escape(key),
            found = ack is not null,
            alreadyAcknowledged = ack?.AlreadyAcknowledged,
            acknowledgedBy = ack?.AcknowledgedBy,
            replyQueued = replyId is not null,
            replyRefused = responseUrl is null ? UntrustedText.Escape(refusal) : null,
        };
        return new(OpsResponse.Ok(new { ok = true }), replyId, details);
    }

    private OpsResponse? SignatureRefusal(IReadOnlyList<string> secrets, OpsRequest request)
    {
        if (secrets.Count == 0)
        {
            return OpsResponse.Error(503, "slack_signing_not_configured",
                $"{SettingNames.SlackSigningSecret} is not set on the worker, so Slack's clicks cannot be verified.");
        }
        var check = SlackRequestSignature.Verify(secrets, request.Header(SlackRequestSignature.TimestampHeader),
            request.Header(SlackRequestSignature.SignatureHeader), request.Body, time.GetUtcNow());
        return check switch
        {
            SignatureCheck.Valid => null,
            SignatureCheck.Missing => Unauthorized("missing_signature",
                $"Slack's {SlackRequestSignature.TimestampHeader} and {SlackRequestSignature.SignatureHeader} headers are required."),
            SignatureCheck.BadTimestamp => Unauthorized("invalid_timestamp", $"{SlackRequestSignature.TimestampHeader} must be unix time in seconds."),
            SignatureCheck.StaleTimestamp => Unauthorized("stale_timestamp",
                $"{SlackRequestSignature.TimestampHeader} must be within {SlackRequestSignature.Tolerance.TotalSeconds:F0} seconds of the server's time."),
            SignatureCheck.BadFormat => Unauthorized("invalid_signature", $"{SlackRequestSignature.SignatureHeader} must be 'v0=' followed by 64 hex digits."),
            _ => Unauthorized("signature_mismatch", "The signature does not match the timestamp and body."),
        };
    }

    private static OpsResponse Unauthorized(string code, string message) => OpsResponse.Error(401, code, message);

    private static SlackInteractionResult Refuse(OpsResponse response) => new(response, null, null);
}
