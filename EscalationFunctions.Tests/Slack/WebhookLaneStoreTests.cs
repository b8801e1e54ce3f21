using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Engine.Slack.Delivery;
using EscalationFunctions.Engine.Slack.Outbox;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Support;

namespace EscalationFunctions.Tests.Slack;

/// <summary>The lane and lease statements against PostgreSQL: one holder per webhook, one pace, no lease for no one.</summary>
[Lane(TestLane.Database)]
public class WebhookLaneStoreTests(DatabaseFixture fixture) : DatabaseTest(fixture)
{
    private static readonly SlackWebhook Hook = new(new Uri("https://hooks.slack.com/services/T0/B0/secret"), "global");
    private static readonly DeliveryLease Long = new(TimeSpan.FromMinutes(1));
    private static readonly TimeSpan NoLimit = TimeSpan.FromMinutes(10);

    private static PlannedLane Plan => new(Hook, WebhookId.Of(Hook), ["default"]);

    private static async Task<HeldLane?> AcquireAsync(InProcessEngine instance, DeliveryLease lease, TimeSpan? within = null)
    {
        var taken = await instance.Get<WebhookLaneStore>().AcquireLanesAsync([Plan.WebhookId], within ?? NoLimit, lease, CancellationToken.None);
        return taken.Count == 0 ? null : new HeldLane(Plan, taken[0].Token, taken[0].FirstWait, []);
    }

    [Fact]
    public async Task Of_many_instances_taking_one_webhooks_lane_at_once_exactly_one_gets_it_and_the_url_is_not_stored()
    {
        var env = TestSettings.Environment(Db);
        var instances = Enumerable.Range(0, 6).Select(i => InProcessEngine.Create(env, instanceId: $"instance-{i}")).ToList();
        try
        {
            var tickets = await Task.WhenAll(instances.Select(i => Task.Run(() => AcquireAsync(i, Long))));
            Assert.Single(tickets, t => t is not null);
        }
        finally
        {
            foreach (var instance in instances)
            {
                await instance.DisposeAsync();
            }
        }
        var stored = await Db.QueryAsync("SELECT l::text FROM slack_webhook_lanes l", r => r.GetString(0));
        Assert.DoesNotContain(stored, row => row.Contains("hooks.slack.com") || row.Contains("secret"));
    }

    [Fact]
    public async Task The_next_holder_waits_out_the_hold_the_last_answer_set()
    {
        await using var first = InProcessEngine.Create(TestSettings.Environment(Db), instanceId: "first");
        await using var second = InProcessEngine.Create(TestSettings.Environment(Db), instanceId: "second");
        var lanes = first.Get<WebhookLaneStore>();

        var ticket = (await AcquireAsync(first, Long))!;
        Assert.Equal(TimeSpan.Zero, ticket.FirstWait);
        var wait = await lanes.AnsweredAsync(ticket, () => TimeSpan.FromSeconds(30), Long);
        Assert.InRange(wait!.Value.TotalSeconds, 29, 30);
        await lanes.ReleaseLaneAsync(ticket);

        // Free, but not within 10 s: not worth taking. Within a minute: taken, with the rest of the hold to wait.
        Assert.Null(await AcquireAsync(second, Long, within: TimeSpan.FromSeconds(10)));
        var next = (await AcquireAsync(second, Long))!;
        Assert.InRange(next.FirstWait.TotalSeconds, 20, 30);
    }

    [Fact]
    public async Task A_lane_whose_lease_ran_out_is_taken_over_and_its_old_holder_learns_it_has_lost_it()
    {
        await using var stalled = InProcessEngine.Create(TestSettings.Environment(Db), instanceId: "stalled");
        await using var other = InProcessEngine.Create(TestSettings.Environment(Db), instanceId: "other");
        var shortLease = new DeliveryLease(TimeSpan.FromMilliseconds(200));

        var old = (await AcquireAsync(stalled, shortLease))!;
        Assert.Null(await AcquireAsync(other, Long));
        await Eventually.TrueAsync(async () => await Db.ScalarAsync<long>("SELECT count(*) FROM slack_webhook_lanes WHERE lease_until >= now()") == 0,
            TimeSpan.FromSeconds(10), "the 200 ms lease ran out by the database's clock");
        var taken = await AcquireAsync(other, Long);

        Assert.NotNull(taken);
        var lanes = stalled.Get<WebhookLaneStore>();
        Assert.False(await lanes.ExtendLaneAsync(old, Long));
        Assert.Null(await lanes.AnsweredAsync(old, () => TimeSpan.FromSeconds(1), Long));
        Assert.True(await lanes.ExtendLaneAsync(taken, Long));
    }

    [Fact]
    public async Task Renewing_the_leases_of_messages_never_leases_a_released_or_finished_one_again()
    {
        await Incidents.InsertDueAsync(Db, 3);
        await using var engine = InProcessEngine.Create(TestSettings.Environment(Db));
        await engine.Ticker.TickAsync();
        var outbox = engine.Get<OutboxStore>();
        var outcomes = engine.Get<OutboxOutcomes>();
        var ids = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            ids.AddRange((await outbox.ClaimNextAsync([Plan], Long, 1_000_000, 20, CancellationToken.None))[Plan.WebhookId].Select(r => r.Id));
        }
        Assert.Equal(3, ids.Distinct().Count());

        await outcomes.ReleaseAsync([ids[0]], null, giveBackAttempt: false);
        await outcomes.MarkSentAsync([ids[1]]);
        await outcomes.ExtendLeasesAsync([.. ids], Long);

        var leases = await Db.QueryAsync("SELECT id, lease_until IS NOT NULL FROM notification_outbox ORDER BY id", r => (r.GetInt64(0), r.GetBoolean(1)));
        Assert.Equal([(ids[0], false), (ids[1], false), (ids[2], true)], leases.OrderBy(l => ids.IndexOf(l.Item1)));
    }

    [Fact]
    public async Task One_claim_for_many_lanes_gives_each_lane_only_its_own_routes_oldest_message_or_a_digests_worth_in_a_storm()
    {
        // Lane a carries two routes (3 + 2 messages: 5 waiting, no storm at threshold 5), lane b one
        // route with 9 (a storm: 4 of them, digest max 4), lane c a route with none waiting.
        var routes = new[] { "a1", "a1", "a1", "a2", "a2", "b", "b", "b", "b", "b", "b", "b", "b", "b" };
        await Incidents.InsertDueAsync(Db, routes.Length, i => routes[i]);
        await using var engine = InProcessEngine.Create(TestSettings.Environment(Db));
        await engine.Ticker.TickAsync();
        var ids = await Db.QueryAsync("SELECT route, id FROM notification_outbox ORDER BY id", r => (Route: r.GetString(0), Id: r.GetInt64(1)));
        PlannedLane LaneOf(string name, params string[] laneRoutes) =>
            new(new SlackWebhook(new Uri($"https://hooks.slack.com/services/T0/{name}/x"), name), name, laneRoutes);

        var claimed = await engine.Get<OutboxStore>().ClaimNextAsync(
            [LaneOf("a", "a1", "a2"), LaneOf("b", "b"), LaneOf("c", "c")], Long, digestThreshold: 5, digestMax: 4, CancellationToken.None);

        Assert.Equal(["a", "b"], claimed.Keys.Order());
        Assert.Equal([ids.First(r => r.Route.StartsWith('a')).Id], claimed["a"].Select(r => r.Id));
        Assert.Equal(ids.Where(r => r.Route == "b").Take(4).Select(r => r.Id), claimed["b"].Select(r => r.Id));
        Assert.All(claimed.Values.SelectMany(r => r), r => Assert.Equal(0, r.Attempts)); // counted when a post starts, not at the claim
        var leased = await Db.QueryAsync("SELECT id FROM notification_outbox WHERE lease_until > now() ORDER BY id", r => r.GetInt64(0));
        Assert.Equal(claimed.Values.SelectMany(r => r).Select(r => r.Id).Order(), leased);
    }

    [Fact]
    public async Task An_attempt_counts_when_its_post_starts_so_a_lane_stopped_before_posting_uses_none_and_a_429_gives_it_back()
    {
        await Incidents.InsertDueAsync(Db, 3);
        await using var engine = InProcessEngine.Create(TestSettings.Environment(Db));
        await engine.Ticker.TickAsync();
        var outbox = engine.Get<OutboxStore>();
        var outcomes = engine.Get<OutboxOutcomes>();
        async Task<OutboxNotification> ClaimAsync() => Assert.Single((await outbox.ClaimNextAsync([Plan], Long, 1_000_000, 20, CancellationToken.None))[Plan.WebhookId]);
        async Task<int> AttemptsAsync(long id) => await Db.ScalarAsync<int>("SELECT attempts FROM notification_outbox WHERE id = @id", ("id", id));

        // Claimed and handed back before its post, again and again (a lane that stops, or dies, while it waits for the pace).
        var row = await ClaimAsync();
        for (var i = 0; i < 20; i++)
        {
            await outcomes.ReleaseAsync([row.Id], null, giveBackAttempt: false);
            row = await ClaimAsync();
        }
        Assert.Equal(0, await AttemptsAsync(row.Id));

        var started = Assert.Single(await outcomes.StartPostsAsync([row]));
        Assert.Equal((row.Id, 1), (started.Id, started.Attempts));
        Assert.Equal(1, await AttemptsAsync(row.Id));

        await outcomes.ReleaseAsync([row.Id], "HTTP 429", giveBackAttempt: true);
        Assert.Equal(0, await AttemptsAsync(row.Id));
    }

    [Fact]
    public async Task A_message_whose_every_post_ended_with_its_sender_is_dead_lettered_before_a_post_more()
    {
        await Incidents.InsertDueAsync(Db, 1);
        await using var engine = InProcessEngine.Create(TestSettings.Environment(Db, overrides: new() { [SettingNames.SlackMaxAttempts] = "3" }));
        await engine.Ticker.TickAsync();
        var outbox = engine.Get<OutboxStore>();
        var outcomes = engine.Get<OutboxOutcomes>();

        // Three senders died during their post (the attempt counted, no outcome recorded, the lease left to run out).
        for (var i = 0; i < 3; i++)
        {
            var claimed = Assert.Single((await outbox.ClaimNextAsync([Plan], Long, 1_000_000, 20, CancellationToken.None))[Plan.WebhookId]);
            Assert.Single(await outcomes.StartPostsAsync([claimed]));
            await Db.ExecuteAsync("UPDATE notification_outbox SET lease_until = now() - interval '1 second'");
        }
        var fourth = Assert.Single((await outbox.ClaimNextAsync([Plan], Long, 1_000_000, 20, CancellationToken.None))[Plan.WebhookId]);

        Assert.Empty(await outcomes.StartPostsAsync([fourth]));
        Assert.Equal([("dead", 3, false)], await Db.QueryAsync("SELECT status, attempts, lease_until IS NOT NULL FROM notification_outbox",
            r => (r.GetString(0), r.GetInt32(1), r.GetBoolean(2))));
        Assert.Contains("3 posts started and none recorded an outcome", await Db.ScalarAsync<string>("SELECT last_error FROM notification_outbox"));
        Assert.Single(engine.Logs.Lines, l => l.Contains("dead-lettered, not posted again", StringComparison.Ordinal) && l.Contains("INC-0", StringComparison.Ordinal));
    }
}
