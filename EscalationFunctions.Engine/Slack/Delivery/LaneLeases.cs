using EscalationFunctions.Engine.Slack.Outbox;
using Microsoft.Extensions.Logging;

namespace EscalationFunctions.Engine.Slack.Delivery;

/// <summary>
/// What a lane holds, under one <see cref="DeliveryLease"/>: its destination's row in <c>slack_webhook_lanes</c>
/// (taken, renewed with each answer, handed back) and the messages it claimed, kept by a <see cref="LeaseHeartbeat"/>.
/// </summary>
public sealed class LaneLeases(
    OutboxStore store,
    OutboxOutcomes outcomes,
    WebhookLaneStore lanes,
    SlackMessageComposer composer,
    TimeProvider time,
    ILogger<LeaseHeartbeat> logger)
{
    public DeliveryLease Lease { get; } = DeliveryLease.Default;

    /// <summary>Takes the lanes no live holder has that are free within <paramref name="within"/> (<see cref="WebhookLaneStore.AcquireLanesAsync"/>).</summary>
    public Task<List<(string WebhookId, Guid Token, TimeSpan FirstWait)>> AcquireAsync(IReadOnlyList<string> webhookIds, TimeSpan within,
        CancellationToken ct) => lanes.AcquireLanesAsync(webhookIds, within, Lease, ct);

    /// <summary>Claims the next message(s) of each lane in one statement: a single message, or a digest's worth in a storm (reference §5.2).</summary>
    public Task<Dictionary<string, List<OutboxNotification>>> ClaimNextAsync(IReadOnlyList<PlannedLane> planned) =>
        store.ClaimNextAsync(planned, Lease, composer.DigestThreshold, composer.DigestMax, CancellationToken.None);

    /// <summary>Renews the lane, and the messages its post carries, until disposed.</summary>
    public LeaseHeartbeat StartHeartbeat(HeldLane lane) => new(outcomes, lanes, lane, Lease, time, logger);

    /// <summary>Holds the webhook for <paramref name="hold"/> from the answer (<see cref="WebhookLaneStore.AnsweredAsync"/>); null when the lane is lost.</summary>
    public Task<TimeSpan?> AnsweredAsync(HeldLane lane, Func<TimeSpan> hold) => lanes.AnsweredAsync(lane, hold, Lease);

    public Task ReleaseAsync(HeldLane lane) => lanes.ReleaseLaneAsync(lane);
}
