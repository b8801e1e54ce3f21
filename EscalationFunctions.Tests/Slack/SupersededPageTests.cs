using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Engine.Slack.Delivery;
using EscalationFunctions.Engine.Slack.Outbox;
using EscalationFunctions.Engine.Status;
using EscalationFunctions.Engine.Tick;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Support;

namespace EscalationFunctions.Tests.Slack;

/// <summary>
/// Reference §5.6 against PostgreSQL and the Slack stand-in: a page whose incident was acknowledged or
/// resolved after it was queued, and before its post starts, is not posted; its row ends
/// <c>superseded</c> (not pending, not dead), at claim time or by the check right before the post,
/// and a digest is made of its open members only. A post already in flight is not recalled.
/// Acknowledgements here are another system's plain SQL; the ops API and Slack clicks are in
/// <see cref="SlackAckStormScaleOutTests"/>.
/// </summary>
[Lane(TestLane.Database)]
public class SupersededPageTests(DatabaseFixture fixture) : SlackTest(fixture)
{
    private static readonly DeliveryLease Long = new(TimeSpan.FromMinutes(1));

    private sealed record Row(string IncidentKey, string Status, int Attempts, bool Leased, bool SupersededAtSet);

    private Task<List<Row>> OutboxAsync() => Db.QueryAsync(
        "SELECT incident_key, status, attempts, lease_until IS NOT NULL, superseded_at IS NOT NULL FROM notification_outbox ORDER BY id",
        r => new Row(r.GetString(0), r.GetString(1), r.GetInt32(2), r.GetBoolean(3), r.GetBoolean(4)));

    private Task AcknowledgeAsync(params string[] keys) => Db.ExecuteAsync(
        "UPDATE incidents SET acknowledged_at = now(), acknowledged_by = 'another system' WHERE incident_key = ANY(@keys)", ("keys", keys));

    private Task ResolveAsync(params string[] keys) => Db.ExecuteAsync(
        "UPDATE incidents SET resolved_at = now() WHERE incident_key = ANY(@keys)", ("keys", keys));

    /// <summary>The digest defaults of spec 1.2 (threshold 5, max 40) unless told; a timeout no slow post here comes near.</summary>
    private Dictionary<string, string> Settings(string route, int digestThreshold = 5, int digestMax = 40) => SettingsWithWebhooks([route], new()
    {
        [SettingNames.SlackDigestThreshold] = digestThreshold.ToString(),
        [SettingNames.SlackDigestMax] = digestMax.ToString(),
        [SettingNames.SlackTimeoutMs] = "20000",
    });

    /// <summary>The sender's own log lines about superseded pages (Npgsql's command log quotes the SQL, which says superseded too).</summary>
    private static List<string> SupersedeLines(InProcessEngine engine) =>
        engine.Logs.Lines.Where(l => l.Contains($" {typeof(OutboxStore).FullName}: ", StringComparison.Ordinal)).ToList();

    private static PlannedLane LaneOf(string route)
    {
        var hook = new SlackWebhook(new Uri($"https://hooks.slack.com/services/T0/{route}/x"), route);
        return new PlannedLane(hook, WebhookId.Of(hook), [route]);
    }

    [Fact]
    public async Task Pages_of_acknowledged_and_resolved_incidents_are_superseded_at_claim_never_returned_and_logged_once_escaped()
    {
        await Incidents.InsertDueAsync(Db, 6, _ => "r");
        await using var engine = InProcessEngine.Create(Settings("r"));
        await engine.Ticker.TickAsync();
        // Another system's key may hold anything: it is named escaped in the log line.
        await Db.ExecuteAsync("UPDATE incidents SET incident_key = E'INC-4\\r\\nFAKE log line' WHERE incident_key = 'INC-4'");
        await Db.ExecuteAsync("UPDATE notification_outbox SET incident_key = E'INC-4\\r\\nFAKE log line' WHERE incident_key = 'INC-4'");
        await AcknowledgeAsync("INC-0", "INC-4\r\nFAKE log line");
        await ResolveAsync("INC-2");

        var claimed = await engine.Get<OutboxStore>().ClaimNextAsync([LaneOf("r")], Long, 1_000_000, 40, CancellationToken.None);

        // The oldest open one, as a single message; never a closed one.
        Assert.Equal(["INC-1"], claimed.Values.Single().Select(r => r.IncidentKey));
        Assert.Equal(
        [
            new Row("INC-0", "superseded", 0, false, true), new Row("INC-1", "pending", 0, true, false),
            new Row("INC-2", "superseded", 0, false, true), new Row("INC-3", "pending", 0, false, false),
            new Row("INC-4\r\nFAKE log line", "superseded", 0, false, true), new Row("INC-5", "pending", 0, false, false),
        ], await OutboxAsync());
        var line = Assert.Single(SupersedeLines(engine));
        Assert.StartsWith("Information ", line);
        Assert.Contains("3 page(s) superseded when claimed", line);
        Assert.Contains(@"INC-0, INC-2, INC-4\u000d\u000aFAKE log line", line);
        Assert.DoesNotContain('\n', line);

        // Nothing is superseded twice, and the open ones not claimed yet go out one by one (INC-1 is leased above).
        await engine.Dispatcher.DrainAsync(CancellationToken.None);
        var open = await Db.QueryAsync("SELECT dedup_key FROM notification_outbox WHERE incident_key IN ('INC-3', 'INC-5') ORDER BY id", r => r.GetString(0));
        Assert.Equal(open, Slack.PostsTo("r").Select(p => p.DedupHeader));
        Assert.Single(SupersedeLines(engine));
    }

    [Fact]
    public async Task A_digest_is_counted_and_made_of_the_open_escalations_only()
    {
        // 12 waiting for "storm": 4 acknowledged leaves 8 open, more than the threshold of 5: one digest of 8.
        // 8 waiting for "calm": 3 resolved leaves 5 open, not more than 5: single messages.
        await Incidents.InsertDueAsync(Db, 12, _ => "storm", prefix: "STORM");
        await Incidents.InsertDueAsync(Db, 8, _ => "calm", prefix: "CALM");
        await using var engine = InProcessEngine.Create(SettingsWithWebhooks(["storm", "calm"], new()
        {
            [SettingNames.SlackDigestThreshold] = "5",
            [SettingNames.SlackDigestMax] = "40",
        }));
        await engine.Ticker.TickAsync();
        await AcknowledgeAsync("STORM-0", "STORM-3", "STORM-7", "STORM-11");
        await ResolveAsync("CALM-1", "CALM-2", "CALM-6");

        await engine.Dispatcher.DrainAsync(CancellationToken.None);

        var storm = Assert.Single(Slack.PostsTo("storm"));
        Assert.True(storm.Accepted);
        var open = await Db.QueryAsync("SELECT dedup_key FROM notification_outbox WHERE route = 'storm' AND incident_key NOT IN ('STORM-0', 'STORM-3', 'STORM-7', 'STORM-11') ORDER BY id",
            r => r.GetString(0));
        Assert.Equal(open, storm.MemberKeys);
        Assert.Equal([1, 1, 1, 1, 1], Slack.PostsTo("calm").Select(p => p.MemberKeys.Count));
        var statuses = (await OutboxAsync()).GroupBy(r => r.Status).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(new Dictionary<string, int> { ["sent"] = 13, ["superseded"] = 7 }, statuses);
    }

    /// <summary>
    /// The first post of a digest of 8 gets a 429 with Retry-After 3 s: its rows go back and are
    /// claimed again at once, and the lane waits out the 3 s. What is acknowledged meanwhile is
    /// superseded right before the post.
    /// </summary>
    private async Task<(InProcessEngine Engine, Task Drain)> DigestWaitingOutA429Async(int waiting)
    {
        await Incidents.InsertDueAsync(Db, waiting, _ => "limited");
        Slack.Script("limited", Reply.RateLimited(TimeSpan.FromSeconds(3)));
        var engine = InProcessEngine.Create(Settings("limited", digestMax: 8));
        await engine.Ticker.TickAsync();
        var drain = Task.Run(() => engine.Dispatcher.DrainAsync(CancellationToken.None));
        // Released after the 429 (last_error set) and claimed again (leased): the lane now waits.
        await Eventually.TrueAsync(async () => await Db.ScalarAsync<long>(
                "SELECT count(*) FROM notification_outbox WHERE last_error IS NOT NULL AND lease_until > now()") == 8,
            TimeSpan.FromSeconds(30), "the digest is claimed again after its 429");
        Assert.Single(Slack.PostsTo("limited"));
        return (engine, drain);
    }

    [Fact]
    public async Task A_digest_acknowledged_while_its_lane_waits_out_a_429_shrinks_and_with_one_member_left_posts_as_a_single_message()
    {
        var (engine, drain) = await DigestWaitingOutA429Async(8);
        await using (engine)
        {
            await AcknowledgeAsync("INC-0", "INC-1", "INC-2", "INC-4", "INC-5", "INC-6");
            await ResolveAsync("INC-7");
            await drain;

            var posts = Slack.PostsTo("limited");
            Assert.Equal(2, posts.Count);
            Assert.Equal(8, posts[0].MemberKeys.Count);
            Assert.Equal(ReplyKind.RateLimited, posts[0].Reply.Kind);
            // A single message, not a digest of one: no dedup_keys, the escalation's own dedup key.
            Assert.False(posts[1].Json.TryGetProperty("dedup_keys", out _));
            var inc3 = await Db.ScalarAsync<string>("SELECT dedup_key FROM notification_outbox WHERE incident_key = 'INC-3'");
            Assert.Equal(inc3, posts[1].DedupHeader);
            Assert.True(posts[1].Accepted);

            // No attempt counted for the superseded: the 429's was given back, and a claim counts none.
            var rows = await OutboxAsync();
            Assert.Equal(new Row("INC-3", "sent", 1, false, false), Assert.Single(rows, r => r.Status != "superseded"));
            Assert.All(rows.Where(r => r.IncidentKey != "INC-3"), r => Assert.Equal(("superseded", 0, false, true), (r.Status, r.Attempts, r.Leased, r.SupersededAtSet)));
            var line = Assert.Single(SupersedeLines(engine));
            Assert.StartsWith("Information ", line);
            Assert.Contains("7 page(s) superseded right before their post", line);
            Assert.Contains("(INC-0, INC-1, INC-2, INC-4, INC-5 and 2 more)", line);
        }
    }

    [Fact]
    public async Task A_digest_whose_members_were_all_acknowledged_while_its_lane_waited_is_not_posted_and_the_lane_goes_on()
    {
        // 12 waiting, digests of 8: the first 8 wait out the 429; the 4 after them are not more than 5, single messages.
        var (engine, drain) = await DigestWaitingOutA429Async(12);
        await using (engine)
        {
            await AcknowledgeAsync(Enumerable.Range(0, 8).Select(i => $"INC-{i}").ToArray());
            await drain;

            var posts = Slack.PostsTo("limited");
            Assert.Equal(ReplyKind.RateLimited, posts[0].Reply.Kind);
            var next = await Db.QueryAsync("SELECT dedup_key FROM notification_outbox WHERE id > 8 ORDER BY id", r => r.GetString(0));
            Assert.Equal(next, posts.Skip(1).Select(p => p.DedupHeader));
            Assert.All(posts.Skip(1), p => Assert.True(p.Accepted));
            var statuses = (await OutboxAsync()).Select(r => r.Status).ToList();
            Assert.Equal([.. Enumerable.Repeat("superseded", 8), .. Enumerable.Repeat("sent", 4)], statuses);
        }
    }

    [Fact]
    public async Task A_post_already_in_flight_when_its_incident_is_acknowledged_is_not_recalled()
    {
        await Incidents.InsertDueAsync(Db, 1, _ => "slow");
        Slack.Script("slow", Reply.Slow(TimeSpan.FromSeconds(1.5)));
        await using var engine = InProcessEngine.Create(Settings("slow"));
        await engine.Ticker.TickAsync();
        var drain = Task.Run(() => engine.Dispatcher.DrainAsync(CancellationToken.None));

        await Eventually.TrueAsync(() => Task.FromResult(Slack.PostsTo("slow").Count == 1), TimeSpan.FromSeconds(30), "the post reaches the webhook");
        await AcknowledgeAsync("INC-0");
        await drain;

        Assert.Single(Slack.PostsTo("slow"));
        Assert.Equal([new Row("INC-0", "sent", 1, false, false)], await OutboxAsync());
        Assert.Empty(SupersedeLines(engine));
    }

    [Fact]
    public async Task Superseded_messages_are_neither_pending_nor_dead_nor_queue_lag_and_are_counted_apart_in_health_and_status()
    {
        await Incidents.InsertDueAsync(Db, 4, _ => "r");
        await using var engine = InProcessEngine.Create(Settings("r"));
        await engine.Ticker.TickAsync();
        // Queued an hour ago, acknowledged since: were they counted as waiting, queue lag would be an hour.
        await Db.ExecuteAsync("UPDATE notification_outbox SET created_at = now() - interval '1 hour'");
        await AcknowledgeAsync("INC-0", "INC-1", "INC-2");
        await engine.Get<OutboxStore>().ClaimNextAsync([LaneOf("r")], Long, 1_000_000, 40, CancellationToken.None);
        await Db.ExecuteAsync("UPDATE notification_outbox SET status = 'sent', lease_until = NULL, sent_at = now() WHERE status = 'pending'");

        var status = await engine.Get<WorkerStatusReader>().ReadAsync(CancellationToken.None);
        Assert.Equal((0, 0, 3, 0.0), (status.PendingNotifications, status.DeadNotifications, status.SupersededNotifications, status.QueueLagMs));

        var report = await engine.Get<StatusReportReader>().ReadAsync(24, 20);
        Assert.Equal((0, 0, 3), (report.Messages.Pending, report.Messages.Dead, report.Messages.Superseded));
        Assert.Null(report.Messages.OldestPendingAt);
        Assert.Equal(["sent", "superseded", "superseded", "superseded"], report.Escalations.Shown.Select(e => e.Slack).Order());

        // Superseded a day and more ago: out of health's and the report's window, still not pending or dead.
        await Db.ExecuteAsync("UPDATE notification_outbox SET superseded_at = now() - interval '25 hours' WHERE status = 'superseded'");
        status = await engine.Get<WorkerStatusReader>().ReadAsync(CancellationToken.None);
        Assert.Equal((0, 0, 0), (status.PendingNotifications, status.DeadNotifications, status.SupersededNotifications));
        Assert.Equal(3, (await engine.Get<StatusReportReader>().ReadAsync(48, 20)).Messages.Superseded);
    }
}
