using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Engine.Slack.Outbox;
using EscalationFunctions.Engine.Slack.Transports;

namespace EscalationFunctions.Engine.Slack.Delivery;

/// <summary>How long a destination is held after each answer (reference §5.1–§5.3): its pace, or what the answer asks.</summary>
public sealed class LanePace(SlackTransports transports, EscalationSettings settings)
{
    /// <summary>The pace between two posts to one destination; none when its transport is not rate-limited (console, a response_url).</summary>
    public TimeSpan IntervalOf(PlannedLane lane) => transports.For(lane).IsRateLimited ? settings.Slack.MinInterval : TimeSpan.Zero;

    /// <summary>What the answer <paramref name="result"/> to a post on <paramref name="lane"/> means for its rows and its destination.</summary>
    public PostDecision Decide(PlannedLane lane, SlackPostResult result, int attempts, int rateLimitedInARow) =>
        PostDecision.Decide(result, attempts, rateLimitedInARow, IntervalOf(lane), settings.Slack.RetryBase, settings.Slack.MaxRetryDelay);
}
