using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Support;

namespace EscalationFunctions.Tests.Resilience;

/// <summary>A restarted worker repeats nothing that was done and finishes what was not.</summary>
[Lane(TestLane.Process)]
public class RestartReplayTests(DatabaseFixture fixture) : SlackTest(fixture)
{
    private Dictionary<string, string> Settings() => TestSettings.Environment(Db, Slack, new() { [SettingNames.TickMs] = "200" });

    private async Task WaitForTicksAsync(int ticks)
    {
        var seen = new HashSet<DateTime>();
        await Eventually.TrueAsync(async () =>
        {
            var last = await Db.ScalarAsync<DateTime?>("SELECT max(last_completed_at) FROM escalation_ticks");
            if (last is { } t)
            {
                seen.Add(t);
            }
            return seen.Count > ticks;
        }, TimeSpan.FromSeconds(30), $"{ticks} more ticks complete");
    }

    [Fact]
    public async Task A_restarted_worker_replays_nothing()
    {
        await Incidents.InsertDueAsync(Db, 50);
        await using (var first = await ServerProcess.StartAsync(Settings()))
        {
            await Eventually.TrueAsync(async () => Slack.Posts.Count == 50 &&
                await Db.ScalarAsync<long>("SELECT count(*) FROM notification_outbox WHERE status = 'sent'") == 50,
                TimeSpan.FromSeconds(30), "50 pages sent");
            await first.StopAsync();
        }

        await using (var second = await ServerProcess.StartAsync(Settings()))
        {
            await WaitForTicksAsync(3);
            await second.StopAsync();
        }

        Assert.Equal(50, await Incidents.EventCountAsync(Db));
        Assert.Equal(50, await Db.ScalarAsync<long>("SELECT count(*) FROM incidents WHERE escalation_level = 1"));
        Assert.Equal(50, Slack.Posts.Count);
        Assert.Equal(50, Slack.Posts.Select(p => p.DedupHeader).Distinct().Count());
    }

    [Fact]
    public async Task Pages_that_failed_before_a_crash_are_delivered_once_after_the_restart()
    {
        await Incidents.InsertDueAsync(Db, 20);
        Slack.SetDefault("global", Reply.Status(500));
        await using (var crashing = await ServerProcess.StartAsync(Settings()))
        {
            await Eventually.TrueAsync(async () => Slack.Posts.Count > 0 &&
                    await Db.ScalarAsync<long>("SELECT count(*) FROM notification_outbox WHERE attempts > 0 AND lease_until IS NULL") > 0,
                TimeSpan.FromSeconds(30), "the first posts failed");
            crashing.Kill();
        }
        Assert.Equal(20, await Incidents.EventCountAsync(Db));

        Slack.SetDefault("global", Reply.Ok);
        await using (var restarted = await ServerProcess.StartAsync(Settings()))
        {
            await Eventually.TrueAsync(async () =>
                    await Db.ScalarAsync<long>("SELECT count(*) FROM notification_outbox WHERE status = 'sent'") == 20,
                TimeSpan.FromSeconds(90), "all 20 pages sent after the restart");
            await WaitForTicksAsync(2);
            await restarted.StopAsync();
        }

        Assert.Equal(20, await Incidents.EventCountAsync(Db));
        var accepted = Slack.Posts.Where(p => p.Accepted).ToList();
        Assert.Equal(20, accepted.Count);
        Assert.Equal(20, accepted.Select(p => p.DedupHeader).Distinct().Count());
    }
}
