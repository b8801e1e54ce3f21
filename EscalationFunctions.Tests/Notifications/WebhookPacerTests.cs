using EscalationFunctions.Engine.Notifications;
using Microsoft.Extensions.Time.Testing;

namespace EscalationFunctions.Tests.Notifications;

/// <summary>The per-webhook pace, on a fake clock (the delivery tests cover it over real HTTP).</summary>
public class WebhookPacerTests
{
    private static readonly Uri Hook = new("http://127.0.0.1/hook-a");
    private static readonly Uri OtherHook = new("http://127.0.0.1/hook-b");
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task Posts_to_one_webhook_get_slots_an_interval_apart_and_other_webhooks_are_not_held()
    {
        var time = new FakeTimeProvider();
        var pacer = new WebhookPacer(Second, time);

        await pacer.WaitTurnAsync(Hook, CancellationToken.None);
        var second = pacer.WaitTurnAsync(Hook, CancellationToken.None);

        Assert.False(second.IsCompleted);
        Assert.True(pacer.WaitTurnAsync(OtherHook, CancellationToken.None).IsCompleted);
        time.Advance(Second - TimeSpan.FromMilliseconds(1));
        Assert.False(second.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));
        await second.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task The_interval_counts_from_the_answer_when_a_post_was_answered_late()
    {
        var time = new FakeTimeProvider();
        var pacer = new WebhookPacer(Second, time);

        await pacer.WaitTurnAsync(Hook, CancellationToken.None);
        time.Advance(TimeSpan.FromMilliseconds(700)); // the post took 700 ms to be answered
        pacer.Answered(Hook);

        // Its slot ended 1 s after it left; the next post still waits a full interval from the answer.
        Assert.Equal(Second, pacer.WaitBeforeNext(Hook));
        var next = pacer.WaitTurnAsync(Hook, CancellationToken.None);
        time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(next.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));
        await next.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void An_answer_never_shortens_a_Retry_After_hold()
    {
        var time = new FakeTimeProvider();
        var pacer = new WebhookPacer(Second, time);

        pacer.HoldUntil(Hook, time.GetUtcNow() + TimeSpan.FromSeconds(30));
        pacer.Answered(Hook);

        Assert.Equal(TimeSpan.FromSeconds(30), pacer.WaitBeforeNext(Hook));
    }
}
