using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Support;

namespace EscalationFunctions.Tests.Ops;

/// <summary>At most OPS_RATE_LIMIT_PER_MIN calls per minute per caller per endpoint, across all instances (reference §6).</summary>
[Lane(TestLane.Process)]
public class OpsRateLimitTests(DatabaseFixture fixture) : DatabaseTest(fixture)
{
    [Fact]
    public async Task The_11th_call_within_a_minute_is_refused_with_Retry_After_and_calls_resume_after_it()
    {
        await using var server = await InProcessServer.StartAsync(OpsTestSettings.For(Db));

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(200, (await OpsCall.SendAsync(server.Client, OpsCall.Signed("/ops/escalation/recalc"))).Status);
        }
        var refused = await OpsCall.SendAsync(server.Client, OpsCall.Signed("/ops/escalation/recalc"));

        Assert.Equal((429, "rate_limited"), (refused.Status, refused.Error));
        var retryAfter = refused.Response.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value.TotalSeconds, 1, 60);

        // Another endpoint and another caller have their own budgets.
        Assert.Equal(200, (await OpsCall.SendAsync(server.Client, OpsCall.Signed("/ops/escalation/tick"))).Status);
        Assert.Equal(200, (await OpsCall.SendAsync(server.Client, OpsCall.Signed("/ops/escalation/recalc", principal: OpsCall.Admin("bob")))).Status);

        // Waiting as long as Retry-After said is enough. A real wait: the window slides on the
        // database's clock (ops_rate_limit_take), which no TimeProvider reaches.
        await Task.Delay(retryAfter.Value + TimeSpan.FromMilliseconds(200));
        Assert.Equal(200, (await OpsCall.SendAsync(server.Client, OpsCall.Signed("/ops/escalation/recalc"))).Status);
    }

    [Fact]
    public async Task The_limit_is_shared_by_instances_when_calls_alternate_between_them()
    {
        await using var first = await InProcessServer.StartAsync(OpsTestSettings.For(Db));
        await using var second = await ServerProcess.StartAsync(OpsTestSettings.For(Db));
        using var secondClient = new HttpClient { BaseAddress = second.BaseUrl };
        var clients = new[] { first.Client, secondClient };

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(200, (await OpsCall.SendAsync(clients[i % 2], OpsCall.Signed("/ops/escalation/tick"))).Status);
        }
        var eleventh = await OpsCall.SendAsync(clients[10 % 2], OpsCall.Signed("/ops/escalation/tick"));
        var twelfth = await OpsCall.SendAsync(clients[11 % 2], OpsCall.Signed("/ops/escalation/tick"));

        Assert.Equal((429, "rate_limited"), (eleventh.Status, eleventh.Error));
        Assert.Equal((429, "rate_limited"), (twelfth.Status, twelfth.Error));
        Assert.Equal(10, await Db.ScalarAsync<long>("SELECT count(*) FROM ops_audit WHERE endpoint = 'tick' AND outcome = 'ok'"));
        Assert.Equal(2, await Db.ScalarAsync<long>("SELECT count(DISTINCT instance_id) FROM ops_audit WHERE outcome = 'ok'"));
    }
}
