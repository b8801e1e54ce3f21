using EscalationFunctions.Engine.Slack.Outbox;
using Microsoft.Extensions.Logging;

namespace EscalationFunctions.Engine.Slack.Delivery;

/// <summary>
/// Renews a lane and the messages its post carries every <see cref="DeliveryLease.RenewEvery"/> while
/// the lane works (reference §5.1: a message is posted again only when its outcome is really unknown).
/// When a renewal finds the lane taken over (this process was stalled past its lease), <see cref="Lost"/>
/// turns true and the lane stops before its next post.
/// </summary>
public sealed class LeaseHeartbeat : IAsyncDisposable
{
    private readonly OutboxOutcomes _store;
    private readonly WebhookLaneStore _lanes;
    private readonly HeldLane _lane;
    private readonly DeliveryLease _lease;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long[] _inFlight = [];

    public LeaseHeartbeat(OutboxOutcomes store, WebhookLaneStore lanes, HeldLane lane, DeliveryLease lease, TimeProvider time, ILogger logger)
    {
        _store = store;
        _lanes = lanes;
        _lane = lane;
        _lease = lease;
        _logger = logger;
        _loop = RunAsync(time);
    }

    public bool Lost { get; private set; }

    /// <summary>The messages whose post is in flight now (empty between posts).</summary>
    public void Carrying(IEnumerable<long> ids) => Volatile.Write(ref _inFlight, ids.ToArray());

    private async Task RunAsync(TimeProvider time)
    {
        using var timer = new PeriodicTimer(_lease.RenewEvery, time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                try
                {
                    var ids = Volatile.Read(ref _inFlight);
                    if (ids.Length > 0)
                    {
                        await _store.ExtendLeasesAsync(ids, _lease);
                    }
                    if (!await _lanes.ExtendLaneAsync(_lane, _lease))
                    {
                        Lost = true;
                        DeliveryLog.LaneTakenOver(_logger, _lane.Name);
                        return;
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The next renewal tries again; the lease is long enough to miss one.
                    DeliveryLog.LaneRenewalFailed(_logger, e, _lane.Name);
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
