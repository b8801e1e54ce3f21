using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Engine.Slack.Outbox;
using EscalationFunctions.Engine.Slack.Transports;
using Microsoft.Extensions.Logging;

namespace EscalationFunctions.Engine.Slack.Delivery;

/// <summary>
/// One planning pass (reference §5.1): the destinations with waiting messages and no lane running here
/// (<see cref="LanePlanner"/> picks them), the lanes of those the database lets this instance take, and
/// the first message(s) of every lane taken, claimed in one statement.
/// </summary>
public sealed class LanePlanningPass(
    OutboxStore store,
    SlackWebhookDirectory webhooks,
    EscalationSettings settings,
    LaneLeases leases,
    DeliveryShutdown shutdown,
    ILogger<LanePlanningPass> logger)
{
    /// <summary>Takes the lanes free within <paramref name="within"/>, each with its first message(s) (none: nothing waits any more).</summary>
    /// <param name="isRunning">Whether this process already runs the lane of a destination.</param>
    public async Task<List<HeldLane>> TakeAsync(TimeSpan within, Func<string, bool> isRunning, CancellationToken ct)
    {
        var waiting = await store.WaitingDestinationsAsync(ct);
        if (waiting.Count == 0 || shutdown.IsStopping)
        {
            return [];
        }
        var table = await webhooks.CurrentAsync(ct);
        var planned = LanePlanner.Plan(waiting, table, isRunning, settings.Slack.App?.Channels);
        if (planned.Count == 0)
        {
            return [];
        }
        var taken = await leases.AcquireAsync(planned.Select(p => p.WebhookId).ToList(), within, ct);
        var byId = planned.ToDictionary(p => p.WebhookId);
        var held = taken.Select(t => new HeldLane(byId[t.WebhookId], t.Token, t.FirstWait, [])).ToList();
        var firstMessages = await ClaimFirstMessagesAsync(held);
        return held.Select(lane => lane with { FirstMessages = firstMessages.GetValueOrDefault(lane.WebhookId) ?? [] }).ToList();
    }

    /// <summary>
    /// Claims the first message(s) of every lane just taken, in one statement: claimed lane by lane,
    /// a hundred lanes spread their first posts over ~0.4 s of claims queueing for connections. If the
    /// claim fails, the lanes are handed back at once rather than held idle until their lease runs out.
    /// </summary>
    private async Task<Dictionary<string, List<OutboxNotification>>> ClaimFirstMessagesAsync(List<HeldLane> taken)
    {
        if (taken.Count == 0)
        {
            return [];
        }
        try
        {
            return await leases.ClaimNextAsync(taken.Select(t => t.Plan).ToList());
        }
        catch
        {
            await ReleaseAllAsync(taken);
            throw;
        }
    }

    private async Task ReleaseAllAsync(List<HeldLane> taken)
    {
        try
        {
            foreach (var lane in taken)
            {
                await leases.ReleaseAsync(lane);
            }
        }
        catch (Exception e)
        {
            // The claim's error is the one to report; lanes not handed back free up when their lease runs out.
            DeliveryLog.LanesNotHandedBack(logger, e);
        }
    }
}
