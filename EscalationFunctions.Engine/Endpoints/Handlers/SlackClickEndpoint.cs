using EscalationFunctions.Engine.Acknowledge;
using EscalationFunctions.Engine.Endpoints.Answers;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Engine.Slack.Clicks;
using EscalationFunctions.Engine.Slack.Delivery;
using EscalationFunctions.Engine.Slack.Messages;
using EscalationFunctions.Engine.Slack.Outbox;
using EscalationFunctions.Engine.Untrusted;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace EscalationFunctions.Engine.Endpoints.Handlers;

/// <summary>
/// <c>POST /slack/interactions</c> (reference §9), once Slack's signature is verified: reads the
/// <c>block_actions</c> payload (400 when a field it needs is wrong), then acknowledges the incident
/// as <c>slack:{user.id}</c> and queues the <c>response_url</c> answer in the one outgoing queue
/// (reference §5.7), in one transaction. Slack's 200 never waits for that answer: a delivery pass starts
/// once the response is sent, and any instance's next one posts it should this one stop first.
/// </summary>
public sealed class SlackClickEndpoint(
    EscalationSettings settings,
    IncidentAcknowledger acknowledger,
    NpgsqlDataSource db,
    NotificationDispatcher dispatcher,
    ILogger<SlackClickEndpoint> logger) : IEndpointHandler
{
    /// <summary>Slack accepts a response_url for 30 minutes; the answer is not tried after that.</summary>
    public static readonly TimeSpan ResponseUrlLifetime = TimeSpan.FromMinutes(30);

    /// <summary>What a click answer's row keeps of a value that names no incident (see migration 0008).</summary>
    private const int UnknownKeyChars = 200;

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
            EndpointsLog.ClickAnswerRefused(logger, caller, incident, UntrustedText.Escape(refusal));
        }

        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var ack = IncidentKeyText.CanExist(key) ? await acknowledger.AcknowledgeAsync(conn, tx, key, caller, ct) : null;
        var reply = ack is null ? SlackReplyBuilder.UnknownIncident(click) : SlackReplyBuilder.Acknowledged(click, ack);
        long? replyId = responseUrl is null ? null
            : await OutboxStore.QueueClickAnswerAsync(conn, tx, AnswerKey(key, ack), responseUrl, reply, ResponseUrlLifetime, ct);
        await tx.CommitAsync(ct);

        var details = new SlackClickDetails(IncidentKeys.ForLog(key), ack is not null, ack?.AlreadyAcknowledged, ack?.AcknowledgedBy, replyId is not null,
            responseUrl is null ? UntrustedText.Escape(refusal) : null);
        return new EndpointOutcome(EndpointAnswer.Ok(SlackClickAnswer.Accepted), details)
        {
            Caller = caller,
            Subject = ack is null ? $"{incident} is unknown" : ack.AlreadyAcknowledged ? $"{incident} was already acknowledged" : $"{incident} acknowledged",
            AfterAnswer = replyId is not null ? () => PostReplyAsync(incident) : null,
        };
    }

    /// <summary>
    /// The key the answer's row carries, for logs and the runbook's queries: an acknowledged
    /// incident's own key; a click's value that names no incident (the sender's text, up to a
    /// megabyte) cut to <see cref="UnknownKeyChars"/>.
    /// </summary>
    private static string AnswerKey(string key, Acknowledgement? ack) =>
        ack is not null || key.Length <= UnknownKeyChars ? key : key[..UnknownKeyChars];

    private async Task PostReplyAsync(string incident)
    {
        try
        {
            await dispatcher.StartLanesAsync(CancellationToken.None);
        }
        catch (Exception e)
        {
            EndpointsLog.ClickAnswerDeferred(logger, incident, UntrustedText.Escape(e.Message));
        }
    }
}
