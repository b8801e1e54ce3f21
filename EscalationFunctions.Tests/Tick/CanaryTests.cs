using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Engine.Tick;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Support;

namespace EscalationFunctions.Tests.Tick;

[Lane(TestLane.Database)]
public class CanaryTests(DatabaseFixture fixture) : DatabaseTest(fixture)
{
    // Vectors computed outside .NET: python3 -c "import hashlib; h=hashlib.md5(r.encode()).hexdigest(); print(int(h[:8],16) % 100)"
    [Theory]
    [InlineData("payments", 31)]   // md5 84d5eaf7... -> 2228611831
    [InlineData("checkout", 49)]   // md5 177627f9... -> 393619449
    [InlineData("a", 77)]          // md5 0cc175b9... -> 214005177
    [InlineData("", 93)]           // md5 d41d8cd9... -> 3558706393
    public async Task The_bucket_follows_the_md5_formula_in_CSharp_and_in_SQL(string route, int bucket)
    {
        Assert.Equal(bucket, CanaryRoute.Bucket(route));
        Assert.Equal(bucket, await Db.ScalarAsync<int>("SELECT escalation_canary_bucket(@r)", ("r", route)));
    }

    [Fact]
    public async Task SQL_and_CSharp_agree_on_every_one_of_10000_route_names()
    {
        var routes = Enumerable.Range(0, 10_000).Select(i => $"team-{i}/svc-{i % 7}").ToArray();

        var sql = await Db.QueryAsync("SELECT escalation_canary_bucket(r) FROM unnest(@routes) WITH ORDINALITY AS t(r, n) ORDER BY n",
            r => r.GetInt32(0), ("routes", routes));

        Assert.Equal(routes.Select(CanaryRoute.Bucket), sql);
    }

    [Fact]
    public void At_10_percent_the_same_routes_are_picked_every_time_and_about_a_tenth_of_10000()
    {
        var routes = Enumerable.Range(0, 10_000).Select(i => $"route-{i}").ToArray();

        var first = routes.Where(r => CanaryRoute.IsInCanary(r, 10)).ToList();
        var second = routes.Where(r => CanaryRoute.IsInCanary(r, 10)).ToList();

        Assert.Equal(first, second);
        // Binomial(10000, 0.1): mean 1000, sd 30; the names are fixed, so this is deterministic.
        Assert.InRange(first.Count, 900, 1100);
        Assert.DoesNotContain(routes, r => CanaryRoute.IsInCanary(r, 0));
        Assert.Equal(routes.Length, routes.Count(r => CanaryRoute.IsInCanary(r, 100)));
    }

    [Fact]
    public async Task A_tick_escalates_only_incidents_on_canary_routes_and_counts_the_rest_as_deferred()
    {
        const int count = 400;
        await Incidents.InsertDueAsync(Db, count, i => $"route-{i % 200}");
        await using var engine = InProcessEngine.Create(TestSettings.Environment(Db, overrides: new() { [SettingNames.CanaryPercent] = "10" }));

        var result = await engine.Ticker.TickAsync();

        var expected = Enumerable.Range(0, count).Where(i => CanaryRoute.IsInCanary($"route-{i % 200}", 10)).Select(i => $"INC-{i}").Order().ToList();
        var escalated = await Db.QueryAsync("SELECT incident_key FROM incidents WHERE escalation_level = 1 ORDER BY incident_key COLLATE \"C\"",
            r => r.GetString(0));
        Assert.NotEmpty(expected);
        Assert.Equal(expected, escalated.Order().ToList());
        Assert.Equal(expected.Count, result.Escalations);
        Assert.Equal(count - expected.Count, result.DeferredByCanary);
        Assert.Equal(0, await Db.ScalarAsync<long>(
            "SELECT count(*) FROM incidents WHERE escalation_canary_bucket(route) >= 10 AND (escalation_level <> 0 OR last_escalated_at IS NOT NULL)"));
    }

    [Fact]
    public async Task A_canary_of_0_escalates_nothing()
    {
        await Incidents.InsertDueAsync(Db, 50, i => $"route-{i}");
        await using var engine = InProcessEngine.Create(TestSettings.Environment(Db, overrides: new() { [SettingNames.CanaryPercent] = "0" }));

        var result = await engine.Ticker.TickAsync();

        Assert.Equal((0, 50), (result.Escalations, result.DeferredByCanary));
        Assert.Equal(0, await Incidents.EventCountAsync(Db));
    }
}
