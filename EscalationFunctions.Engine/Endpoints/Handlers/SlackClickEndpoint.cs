using EscalationFunctions.Engine.Acknowledge;
using EscalationFunctions.Engine.Configuration;
using EscalationFunctions.Engine.Endpoints.Answers;
using EscalationFunctions.Engine.Interactions;
using EscalationFunctions.Engine.Security;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace EscalationFunctions.Engine.Endpoints.Handlers;

/// <summary>
/// <c>POST /slack/interactions</c> (spec §9), once Slack's signature is verified: reads the
/// <c>block_actions</c> payload (400 when a field it needs is wrong), then acknowledges the incident
/// as <c>slack:{user.id}</c> and queues the <c>response_url</c> answer, in one transaction. Slack's
/// 200 never waits for that answer, which is posted once the response is sent (and by any
/// instance's next delivery pass should this one stop first: it is in the database).
/// </summary>
public sealed class SlackClickEndpoint(
    EscalationSettings settings,
    IncidentAcknowledger acknowledger,
    NpgsqlDataSource db,
    SlackReplySender replies,
    ILogger<SlackClickEndpoint> logger) : IEndpointHandler
{
    public IReadOnlyList<EndpointRoute> Routes { get; } = [RouteTable.SlackInteractions];

    public async Task<EndpointOutcome> HandleAsync(EndpointCall call, CancellationToken ct)
    {
        if (!SlackInteraction.TryParse(call.Request.Body, out var click, out var problem))
        {
            return EndpointAnswer.Error(400, "invalid_payload", $"Not a Slack block_actions interaction: {problem}.");
        }
        var caller = IncidentAcknowledger.SlackPrefix + click.UserId; // the user id matched Slack's syntax: nothing to escape
        if (!click.IsAcknowledge)
        {
            // Link buttons report their clicks too; Slack shows an error unless it gets a 200.
            return new EndpointOutcome(EndpointAnswer.Ok(SlackClickAnswer.Accepted), new IgnoredActionDetails(UntrustedText.Escape(click.ActionId), true))
            {
                Caller = caller,
            };
        }
        return await AcknowledgeAsync(click, caller, ct);
    }

    private async Task<EndpointOutcome> AcknowledgeAsync(SlackInteraction click, string caller, CancellationToken ct)
    {
        var key = click.Value!;
        var incident = $"incident {IncidentKeys.ForLog(key)}";
        var responseUrl = settings.Slack.ResponseUrlHosts.Allow(click.ResponseUrl, out var refusal);
        if (responseUrl is null)
        {
            logger.LogWarning("Slack click by {Caller} on {Incident}: no answer will be posted, {Refusal}", caller, incident, UntrustedText.Escape(refusal));
        }

        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var ack = IncidentKeyText.CanExist(key) ? await acknowledger.AcknowledgeAsync(conn, tx, key, caller, ct) : null;
        var reply = ack is null ? SlackReplyBuilder.UnknownIncident(click) : SlackReplyBuilder.Acknowledged(click, ack);
        long? replyId = responseUrl is null ? null : await SlackReplyOutbox.EnqueueAsync(conn, tx, key, responseUrl, reply, ct);
        await tx.CommitAsync(ct);

        var details = new SlackClickDetails(IncidentKeys.ForLog(key), ack is not null, ack?.AlreadyAcknowledged, ack?.AcknowledgedBy, replyId is not null,
            responseUrl is null ? UntrustedText.Escape(refusal) : null);
        return new EndpointOutcome(EndpointAnswer.Ok(SlackClickAnswer.Accepted), details)
        {
            Caller = caller,
            Subject = ack is null ? $"{incident} is unknown" : ack.AlreadyAcknowledged ? $"{incident} was already acknowledged" : $"{incident} acknowledged",
            AfterAnswer = replyId is { } id ? () => PostReplyAsync(id, incident) : null,
        };
    }

    private async Task PostReplyAsync(long replyId, string incident)
    {
        try
        {
            await replies.DeliverAsync(replyId, CancellationToken.None);
        }
        catch (Exception e)
        {
            logger.LogWarning("The Slack answer about {Incident} was not posted now ({Error}); the next delivery pass posts it",
                incident, UntrustedText.Escape(e.Message));
        }
    }
}
