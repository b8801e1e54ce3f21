using System.Text.Json;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Support;

namespace EscalationFunctions.Tests.Tick;

/// <summary>Any number of ticks at once (timer, HTTP, several instances): each escalation still happens exactly once (§4.5).</summary>
[Lane(TestLane.Database)]
public class ConcurrencyTests(DatabaseFixture fixture) : SlackTest(fixture)
{
    [Fact]
    public async Task Eight_ticks_at_once_over_2000_due_incidents_make_exactly_2000_events_and_2000_Slack_posts()
    {
        const int due = 2000;
        var routes = Enumerable.Range(0, 50).Select(i => $"route-{i}").ToArray();
        await Incidents.InsertDueAsync(Db, due, i => routes[i % routes.Length]);
        var env = TestSettings.Environment(Db, Slack, new()
        {
            [SettingNames.SlackRouteWebhooks] = JsonSerializer.Serialize(routes.ToDictionary(r => r, r => Slack.WebhookUrl(r).AbsoluteUri)),
            // Small batches keep each tick busy long enough for all eight to overlap.
            [SettingNames.TickBatchSize] = "25",
            [SettingNames.SlackMinIntervalMs] = "0",
        });
        // Eight separate engines, each with its own connection pool: eight instances.
        var instances = Enumerable.Range(0, 8).Select(i => InProcessEngine.Create(env, instanceId: $"instance-{i}")).ToList();
        try
        {
            using var start = new ManualResetEventSlim();
            var ticks = instances.Select(e => Task.Run(async () =>
            {
                start.Wait();
                return await e.Ticker.TickAsync();
            })).ToList();
            start.Set();
            var results = await Task.WhenAll(ticks);

            Assert.Equal(due, results.Sum(r => r.Escalations));
            Assert.Equal(0, results.Sum(r => r.SkippedIdempotent));
            Assert.True(results.Count(r => r.Escalations > 0) > 1, "the ticks did not overlap");

            // Two senders at once as well: leases keep them off each other's rows.
            await Task.WhenAll(instances.Take(2).Select(e => e.Dispatcher.DrainAsync(CancellationToken.None)));
        }
        finally
        {
            foreach (var instance in instances)
            {
                await instance.DisposeAsync();
            }
        }

        Assert.Equal(due, await Incidents.EventCountAsync(Db));
        Assert.Equal(due, await Db.ScalarAsync<long>("SELECT count(DISTINCT unique_hash) FROM escalation_events"));
        Assert.Equal(due, await Db.ScalarAsync<long>("SELECT count(*) FROM incidents WHERE escalation_level = 1"));
        Assert.Equal(due, await Db.ScalarAsync<long>("SELECT count(*) FROM notification_outbox WHERE status = 'sent'"));
        Assert.Equal(due, Slack.Posts.Count);
        Assert.Equal(due, Slack.Posts.Select(p => p.DedupHeader).Distinct().Count());
    }
}
