using EscalationFunctions.Engine.Interactions;
using EscalationFunctions.Engine.Notifications;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EscalationFunctions.Engine.Runtime;

/// <summary>
/// Runs the Slack sender for the life of the process: wakes when a tick commits notifications
/// (or a lane finishes) and at least every <see cref="PollInterval"/> to pick up retries. While the
/// outbox cannot be read (the database is down, say) it backs off with <see cref="FailureBackoff"/>.
/// Each pass also starts posting the queued Slack <c>response_url</c> answers (<see cref="SlackReplySender"/>)
/// when the previous pass of them is done, beside the lanes rather than before them, so an answer
/// queued by an instance that stopped right after a click is still posted and a slow one holds up no page.
/// </summary>
public sealed class NotificationSenderService(NotificationDispatcher dispatcher, SlackReplySender replies, OutboxSignal signal, TimeProvider time,
    ILogger<NotificationSenderService> logger) : BackgroundService
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = new FailureBackoff("Slack sender", PollInterval, logger, time);
        // The click answers run beside the planning, one pass at a time: a slow response_url must not hold up the webhooks' lanes.
        var replying = Task.CompletedTask;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var wait = PollInterval;
                try
                {
                    if (replying.IsCompleted)
                    {
                        await replying; // its failure is this pass's
                        replying = replies.DeliverDueAsync(stoppingToken);
                    }
                    await dispatcher.StartLanesAsync(stoppingToken);
                    backoff.Succeeded();
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    replying = Task.CompletedTask;
                    wait = backoff.Failed(e);
                }
                await signal.WaitAsync(wait, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            // Lanes follow the host's stop: they record what they sent and hand unsent rows back.
            await dispatcher.WhenLanesIdleAsync();
            await replying.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing); // cancelled with the host, or already reported
        }
    }
}
