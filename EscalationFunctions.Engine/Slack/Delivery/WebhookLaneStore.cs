using EscalationFunctions.Engine.Data;
using EscalationFunctions.Engine.Slack.Outbox;
using Npgsql;

namespace EscalationFunctions.Engine.Slack.Delivery;

/// <summary>Runs <see cref="WebhookLaneSql"/>: who holds each webhook's lane, and when the webhook is next free.</summary>
public sealed class WebhookLaneStore(DeliveryDatabaseGate db)
{
    /// <summary>Takes the lanes no live holder has that are free within <paramref name="within"/>; returns those taken with the wait before their first post.</summary>
    public Task<List<(string WebhookId, Guid Token, TimeSpan FirstWait)>> AcquireLanesAsync(
        IReadOnlyList<string> webhookIds, TimeSpan within, DeliveryLease lease, CancellationToken ct) =>
        db.RunAsync(WebhookLaneSql.Acquire, p =>
        {
            p.AddWithValue("webhook_ids", webhookIds.ToArray());
            p.AddWithValue("tokens", webhookIds.Select(_ => Guid.NewGuid()).ToArray());
            p.AddWithValue("lease_seconds", lease.Length.TotalSeconds);
            p.AddWithValue("within_seconds", within.TotalSeconds);
        }, async r =>
        {
            var taken = new List<(string, Guid, TimeSpan)>();
            while (await r.ReadAsync(ct))
            {
                taken.Add((r.GetString(0), r.GetGuid(1), TimeSpan.FromSeconds(r.GetDouble(2))));
            }
            return taken;
        }, ct);

    /// <summary>
    /// Holds the webhook for <paramref name="hold"/> from now and renews the lane; null when the lane
    /// is lost. <paramref name="hold"/> is read once a connection is free, just before the statement
    /// goes out, so a caller can count the time spent waiting for it (never below zero).
    /// </summary>
    public Task<TimeSpan?> AnsweredAsync(HeldLane lane, Func<TimeSpan> hold, DeliveryLease lease) => db.RunAsync(WebhookLaneSql.Answered, p =>
    {
        AddLane(p, lane);
        p.AddWithValue("hold_seconds", Math.Max(0, hold().TotalSeconds));
        p.AddWithValue("lease_seconds", lease.Length.TotalSeconds);
    }, async r => await r.ReadAsync(CancellationToken.None) ? TimeSpan.FromSeconds(r.GetDouble(0)) : (TimeSpan?)null, CancellationToken.None);

    /// <summary>Renews the lane; false when it is no longer this holder's.</summary>
    public Task<bool> ExtendLaneAsync(HeldLane lane, DeliveryLease lease) => db.RunAsync(WebhookLaneSql.Extend, p =>
    {
        AddLane(p, lane);
        p.AddWithValue("lease_seconds", lease.Length.TotalSeconds);
    }, r => r.ReadAsync(CancellationToken.None), CancellationToken.None);

    /// <summary>Hands the lane back; a one-off lane (a click answer's) is removed instead when nothing holds its destination.</summary>
    public async Task ReleaseLaneAsync(HeldLane lane)
    {
        if (lane.Plan.IsOneOff)
        {
            await db.ExecuteAsync(WebhookLaneSql.ForgetOneOff, p => AddLane(p, lane));
        }
        await db.ExecuteAsync(WebhookLaneSql.Release, p => AddLane(p, lane));
    }

    private static void AddLane(NpgsqlParameterCollection p, HeldLane lane)
    {
        p.AddWithValue("webhook_id", lane.WebhookId);
        p.AddWithValue("token", lane.Token);
    }
}
