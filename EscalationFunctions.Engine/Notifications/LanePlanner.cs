using EscalationFunctions.Engine.Notifications.App;

namespace EscalationFunctions.Engine.Notifications;

/// <summary>Messages that may be sent now go here: a page to its route's webhook, a click answer to its own destination.</summary>
public sealed record WaitingDestination(OutgoingKind Kind, string? Route, string? Destination);

/// <summary>
/// A destination to open a lane for. Pages: a webhook and the routes whose messages it carries.
/// Click answers: one response_url (<see cref="Destination"/>, as stored), no route.
/// </summary>
public sealed record PlannedLane(SlackWebhook Webhook, string WebhookId, IReadOnlyList<string> Routes)
{
    public OutgoingKind Kind { get; init; } = OutgoingKind.Page;

    /// <summary>The stored destination of a click answer's lane; null for a webhook's.</summary>
    public string? Destination { get; init; }

    /// <summary>
    /// App mode (reference §10.3): the channel this lane posts to through the Web API, its pages (by route)
    /// and then its rewrites (<see cref="OutgoingKind.MessageUpdate"/>); null for a webhook's lane.
    /// </summary>
    public string? Channel { get; init; }

    /// <summary>
    /// A lane of one click answer's response_url: used once, so its row in <c>slack_webhook_lanes</c>
    /// is removed when the lane ends (unless its destination asked to be left alone for longer).
    /// </summary>
    public bool IsOneOff => Kind == OutgoingKind.ClickAnswer;

    /// <summary>Safe to log: "route 'payments' webhook", "global webhook", "click's response_url".</summary>
    public string Name => Kind == OutgoingKind.ClickAnswer ? LanePlanner.ResponseUrlLabel
        : Channel is not null ? $"channel {Channel}"
        : $"{Webhook.Label} webhook";
}

/// <summary>
/// Which lanes to open (pure; the dispatcher does the I/O): one per destination that has waiting
/// messages and no lane running in this process. Routes that share a webhook share its lane, so
/// they share its pace; each click answer's response_url is a lane of its own, so a slow one holds
/// up nothing else. Whether another instance holds the lane is settled by the database.
/// </summary>
public static class LanePlanner
{
    /// <summary>How a click answer's destination is named in logs: the URL is a bearer token.</summary>
    public const string ResponseUrlLabel = "click's response_url";

    /// <param name="channels">App mode's route-to-channel table: pages and rewrites go to channels' lanes; null: to webhooks'.</param>
    public static IReadOnlyList<PlannedLane> Plan(IEnumerable<WaitingDestination> waiting, SlackWebhookTable table, Func<string, bool> isRunning,
        SlackChannelTable? channels = null)
    {
        var all = waiting.ToList();
        var webhookLanes = channels is not null ? ChannelLanes(all, channels) : all
            .Where(w => w.Kind == OutgoingKind.Page && w.Route is not null)
            .Select(w => (Route: w.Route!, Webhook: table.For(w.Route!)))
            .GroupBy(r => WebhookId.Of(r.Webhook))
            .Select(lane => new PlannedLane(lane.First().Webhook, lane.Key, lane.Select(r => r.Route).Distinct().Order(StringComparer.Ordinal).ToList()));
        var answerLanes = all
            .Where(w => w.Kind == OutgoingKind.ClickAnswer && w.Destination is not null)
            .Select(w => w.Destination!)
            .Distinct(StringComparer.Ordinal)
            .Select(destination => new PlannedLane(new SlackWebhook(AbsoluteUrl(destination), ResponseUrlLabel), WebhookId.OfDestination(destination), [])
            {
                Kind = OutgoingKind.ClickAnswer,
                Destination = destination,
            });
        return webhookLanes.Concat(answerLanes)
            .Where(lane => !isRunning(lane.WebhookId))
            .OrderBy(lane => lane.WebhookId, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// App mode: one lane per channel, for the pages of the routes that post there and the rewrites
    /// of its messages. Routes with no channel share the lane <see cref="WebhookId.None"/>, whose posts fail.
    /// </summary>
    private static IEnumerable<PlannedLane> ChannelLanes(List<WaitingDestination> all, SlackChannelTable channels)
    {
        var pages = all.Where(w => w.Kind == OutgoingKind.Page && w.Route is not null).Select(w => (Route: w.Route, Channel: channels.For(w.Route!)));
        var rewrites = all.Where(w => w.Kind == OutgoingKind.MessageUpdate && w.Destination is not null).Select(w => (Route: (string?)null, Channel: w.Destination));
        return pages.Concat(rewrites)
            .GroupBy(x => x.Channel ?? "", StringComparer.Ordinal)
            .Select(lane => new PlannedLane(
                new SlackWebhook(null, lane.Key.Length == 0 ? "none" : $"channel {lane.Key}"),
                lane.Key.Length == 0 ? WebhookId.None : WebhookId.OfChannel(lane.Key),
                lane.Select(x => x.Route).OfType<string>().Distinct().Order(StringComparer.Ordinal).ToList())
            {
                Channel = lane.Key.Length == 0 ? null : lane.Key,
            });
    }

    /// <summary>
    /// How many waiting messages a lane counts on each of its routes (open ones only, reference §5.6)
    /// before taking the next ones, to tell a storm (more than <paramref name="digestThreshold"/>)
    /// from a trickle. Capped: a threshold beyond the
    /// cap is a request for single messages, and then counting up to the cap is enough to see there is no storm.
    /// </summary>
    public static int Peek(int digestThreshold, int digestMax) =>
        Math.Max(digestMax, (int)Math.Min((long)digestThreshold + 1, MaxPeek));

    public const int MaxPeek = 10_001;

    // A stored destination that is no absolute URL gets none; the sender refuses it (dead, with the reason).
    private static Uri? AbsoluteUrl(string destination) => Uri.TryCreate(destination, UriKind.Absolute, out var url) ? url : null;
}
