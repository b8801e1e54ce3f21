namespace EscalationFunctions.Engine.Slack.Delivery;

/// <summary>
/// The host's stop as Slack delivery sees it (reference §1.1). From the moment the host asks the worker
/// to stop (WorkerTerminate, SIGTERM: scale-in, deployment, recycling) no lane is planned and no
/// claim or post starts, and lanes hand their webhooks and unposted messages back at once. A post
/// already in flight gets <see cref="PostGrace"/> to finish, then is abandoned (its outcome is
/// unknown, so its messages keep their short lease and are posted again by the next holder). All of
/// it within the host's grace period (5 s). The isolated Functions worker does not cancel a running
/// invocation when it stops, so delivery watches the application's stop itself.
/// </summary>
public sealed class DeliveryShutdown : IDisposable
{
    public static readonly TimeSpan PostGrace = TimeSpan.FromSeconds(3);

    private readonly CancellationTokenSource _abandonPosts = new();
    private readonly CancellationTokenRegistration _registration;

    /// <param name="stopping">The host's <c>IHostApplicationLifetime.ApplicationStopping</c>; none in tests that run the engine alone.</param>
    public DeliveryShutdown(CancellationToken stopping)
    {
        Stopping = stopping;
        _registration = stopping.Register(() => _abandonPosts.CancelAfter(PostGrace));
    }

    /// <summary>Cancelled when the host starts to stop: nothing new starts.</summary>
    public CancellationToken Stopping { get; }

    /// <summary>Cancelled <see cref="PostGrace"/> after the stop began: a post still in flight is given up.</summary>
    public CancellationToken AbandonPosts => _abandonPosts.Token;

    public bool IsStopping => Stopping.IsCancellationRequested;

    public void Dispose()
    {
        _registration.Dispose();
        _abandonPosts.Dispose();
    }
}
