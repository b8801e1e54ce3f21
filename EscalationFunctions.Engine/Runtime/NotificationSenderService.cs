using EscalationFunctions.Engine.Slack.Delivery;
using EscalationFunctions.Engine.Slack.Outbox;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EscalationFunctions.Engine.Runtime;

/// <summary>
/// Runs the Slack sender for the life of the process: wakes when a tick commits notifications
/// (or a lane finishes) and at least every <see cref="PollInterval"/> to pick up retries. While the
/// outbox cannot be read (the database is down, say) it backs off with <see cref="FailureBackoff"/>.
/// Click answers are rows of the same queue, so an answer queued by an instance that stopped right
/// after a click is posted by the next pass of any instance.
/// </summary>
public sealed class NotificationSenderService(NotificationDispatcher dispatcher, OutboxSignal signal, TimeProvider time,
    ILogger<NotificationSenderService> logger) : BackgroundService
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = new FailureBackoff("Slack sender", PollInterval, logger, time);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var wait = PollInterval;
                try
                {
                    await dispatcher.StartLanesAsync(stoppingToken);
                    backoff.Succeeded();
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
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
        }
    }
}
