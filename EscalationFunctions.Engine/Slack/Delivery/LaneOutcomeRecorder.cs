using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Engine.Slack.App;
using EscalationFunctions.Engine.Slack.Messages;
using EscalationFunctions.Engine.Slack.Outbox;
using EscalationFunctions.Engine.Slack.Transports;
using EscalationFunctions.Engine.Telemetry;
using Microsoft.Extensions.Logging;

namespace EscalationFunctions.Engine.Slack.Delivery;

/// <summary>
/// Applies a <see cref="PostDecision"/> to the rows of the message posted (reference §5.3): sent, released,
/// dead-lettered or retried later, with its metric, its log line and, in app mode, the token's state.
/// Every outcome is written as soon as it is known, so a crash repeats at most the post in flight.
/// </summary>
public sealed class LaneOutcomeRecorder(
    OutboxOutcomes store,
    SlackMessageStore posted,
    SlackAuthMonitor auth,
    IMetricSink metrics,
    EscalationSettings settings,
    ILogger<LaneOutcomeRecorder> logger)
{
    public async Task RecordAsync(HeldLane lane, SlackMessage message, SlackPostResult result, PostDecision decision)
    {
        var ids = message.Members.Select(m => m.Id).ToArray();
        switch (decision.Outcome)
        {
            case PostOutcome.Sent:
                await RecordSentAsync(message, result, ids);
                break;
            case PostOutcome.AuthFailing:
                // Logged once for every instance and channel by the monitor; the rows wait, their attempt given back.
                await store.ReleaseAsync(ids, result.Error, giveBackAttempt: true);
                await auth.FailedAsync(result.Error!);
                break;
            case PostOutcome.RateLimited:
                metrics.Track(MetricNames.SlackSendFailures, 1);
                DeliveryLog.RateLimited(logger, lane.Name, message.Describe(), decision.HoldWebhook.TotalMilliseconds);
                await store.ReleaseAsync(ids, result.Error, giveBackAttempt: true);
                break;
            case PostOutcome.Dead:
                metrics.Track(MetricNames.SlackSendFailures, 1);
                await store.MarkDeadAsync(ids, result.Error!);
                DeliveryLog.Refused(logger, lane.Name, message.Describe(), result.Error);
                break;
            default:
                metrics.Track(MetricNames.SlackSendFailures, 1);
                var dead = await store.MarkFailedAsync(ids, decision.RetryIn, result.Error!);
                if (dead.Count > 0)
                {
                    DeliveryLog.DeadAfterAttempts(logger, message.Describe(), lane.Name, message.Members.Max(m => m.Attempts), result.Error);
                }
                else
                {
                    DeliveryLog.PostFailed(logger, message.Describe(), lane.Name, message.Members.Max(m => m.Attempts), settings.Slack.MaxAttempts, result.Error,
                        decision.RetryIn.TotalMilliseconds);
                }
                break;
        }
    }

    /// <summary>Sent: in app mode the message is remembered (a post) or noted as rewritten (a rewrite), in the statement that marks it sent.</summary>
    private async Task RecordSentAsync(SlackMessage message, SlackPostResult result, long[] ids)
    {
        if (message.App is not { } target)
        {
            await store.MarkSentAsync(ids);
            return;
        }
        if (target.IsUpdate)
        {
            await posted.RecordRewrittenAsync(ids);
        }
        else if (result.Ts is { } ts)
        {
            await posted.RecordPostedAsync(message, target, ts);
        }
        else
        {
            await store.MarkSentAsync(ids);
        }
        await auth.SucceededAsync();
    }
}
