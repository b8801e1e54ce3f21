namespace EscalationFunctions.Engine.Notifications;

/// <summary>A webhook to open a lane for, and the routes whose messages it carries.</summary>
public sealed record PlannedLane(SlackWebhook Webhook, string WebhookId, IReadOnlyList<string> Routes);

/// <summary>
/// Which lanes to open (pure; the dispatcher does the I/O): one per webhook that has waiting
/// messages and no lane running in this process. Routes that share a webhook share its lane, so
/// they share its pace. Whether another instance holds the lane is settled by the database.
/// </summary>
public static class LanePlanner
{
    public static IReadOnlyList<PlannedLane> Plan(IEnumerable<string> waitingRoutes, SlackWebhookTable table, Func<string, bool> isRunning) =>
        waitingRoutes
            .Select(route => (Route: route, Webhook: table.For(route)))
            .GroupBy(r => WebhookId.Of(r.Webhook))
            .Where(lane => !isRunning(lane.Key))
            .OrderBy(lane => lane.Key, StringComparer.Ordinal)
            .Select(lane => new PlannedLane(lane.First().Webhook, lane.Key, lane.Select(r => r.Route).Order(StringComparer.Ordinal).ToList()))
            .ToList();

    /// <summary>
    /// How many waiting messages a lane counts on each of its routes (open ones only, spec 1.2 §5.6)
    /// before taking the next ones, to tell a storm (more than <paramref name="digestThreshold"/>)
    /// from a trickle. Capped: a threshold beyond the
    /// cap is a request for single messages, and then counting up to the cap is enough to see there is no storm.
    /// </summary>
    public static int Peek(int digestThreshold, int digestMax) =>
        Math.Max(digestMax, (int)Math.Min((long)digestThreshold + 1, MaxPeek));

    public const int MaxPeek = 10_001;
}
