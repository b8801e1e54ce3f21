namespace EscalationFunctions.Engine.Slack.Outbox;

/// <summary>
/// Lets a tick wake the Slack sender as soon as it has committed new notifications, instead of
/// waiting for the sender's next poll. Signals coalesce: many notifies before a wait count as one.
/// </summary>
public sealed class OutboxSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
    {
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled; the sender has not woken yet.
        }
    }

    /// <summary>Waits until notified or until <paramref name="timeout"/> passes.</summary>
    public Task WaitAsync(TimeSpan timeout, CancellationToken ct) => _signal.WaitAsync(timeout, ct);
}
