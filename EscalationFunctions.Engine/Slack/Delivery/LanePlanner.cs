using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Engine.Slack.Outbox;

namespace EscalationFunctions.Engine.Slack.Delivery;


/// <summary>
/// Which lanes to open (pure; the dispatcher does the I/O): one per destination that has waiting
/// messages and no lane running in this process. Routes that share a webhook share its lane, so
/// they share its pace; each click answer's response_url is a lane of its own, so a slow one holds
/// up nothing else. Whether another instance holds the lane is settled by the database.
/// </summary>
public static class LanePlanner
{
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
            .Select(destination => new PlannedLane(new SlackWebhook(AbsoluteUrl(destination), PlannedLane.ResponseUrlLabel), WebhookId.OfDestination(destination), [])
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

    // A stored destination that is no absolute URL gets none; the sender refuses it (dead, with the reason).
    private static Uri? AbsoluteUrl(string destination) => Uri.TryCreate(destination, UriKind.Absolute, out var url) ? url : null;
}
