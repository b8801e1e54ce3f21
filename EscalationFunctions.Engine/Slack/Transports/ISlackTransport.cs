using EscalationFunctions.Engine.Slack.Messages;
using EscalationFunctions.Engine.Slack.Outbox;

namespace EscalationFunctions.Engine.Slack.Transports;

/// <summary>Delivers one Slack message on a lane: to its webhook, its response_url, its channel (app mode), or the console.</summary>
public interface ISlackTransport
{
    /// <summary>Whether posts to one destination must be spaced out (Slack's ~1 message/s limit).</summary>
    bool IsRateLimited { get; }

    Task<SlackPostResult> PostAsync(PlannedLane lane, SlackMessage message, CancellationToken ct);
}
