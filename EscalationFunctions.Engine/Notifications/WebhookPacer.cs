namespace EscalationFunctions.Engine.Notifications;

/// <summary>
/// Spaces posts to each webhook at least <c>SLACK_MIN_INTERVAL_MS</c> apart and holds a webhook back
/// after it answered 429 with <c>Retry-After</c>. In memory, per process: several instances
/// together may exceed the pace briefly, and Slack's 429 then slows them down.
/// <para>
/// The interval counts from the previous post's answer (<see cref="Answered"/>), not from the time
/// it was scheduled to leave: Slack counts a post when it arrives, and a post that left late or
/// travelled slowly would otherwise be followed by one that arrives less than an interval after it.
/// </para>
/// </summary>
public sealed class WebhookPacer(TimeSpan interval, TimeProvider time)
{
    private readonly Dictionary<Uri, DateTimeOffset> _nextFree = new();
    private readonly Lock _lock = new();

    public TimeSpan Interval => interval;

    /// <summary>How long until the webhook may be posted to again.</summary>
    public TimeSpan WaitBeforeNext(Uri webhook)
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            return _nextFree.TryGetValue(webhook, out var next) && next > now ? next - now : TimeSpan.Zero;
        }
    }

    /// <summary>Reserves the webhook's next free slot and waits for it.</summary>
    public async Task WaitTurnAsync(Uri webhook, CancellationToken ct)
    {
        DateTimeOffset slot;
        lock (_lock)
        {
            var now = time.GetUtcNow();
            slot = _nextFree.TryGetValue(webhook, out var next) && next > now ? next : now;
            _nextFree[webhook] = slot + interval;
        }
        // Timers round to whole milliseconds and run on a coarse clock, so a delay can end a little
        // before the slot; wait out the remainder rather than post early.
        for (var wait = slot - time.GetUtcNow(); wait > TimeSpan.Zero; wait = slot - time.GetUtcNow())
        {
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Ceiling(wait.TotalMilliseconds)), time, ct);
        }
    }

    /// <summary>
    /// A post to the webhook has been answered (whatever the answer): the next one leaves a full
    /// interval from now at the earliest. The webhook received the post before this moment, so the
    /// next post cannot arrive less than an interval after it.
    /// </summary>
    public void Answered(Uri webhook)
    {
        lock (_lock)
        {
            var earliest = time.GetUtcNow() + interval;
            if (!_nextFree.TryGetValue(webhook, out var next) || next < earliest)
            {
                _nextFree[webhook] = earliest;
            }
        }
    }

    /// <summary>Nothing goes to the webhook before <paramref name="until"/> (a 429's Retry-After).</summary>
    public void HoldUntil(Uri webhook, DateTimeOffset until)
    {
        lock (_lock)
        {
            if (!_nextFree.TryGetValue(webhook, out var next) || next < until)
            {
                _nextFree[webhook] = until;
            }
        }
    }
}
