using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Support;

namespace EscalationFunctions.Tests.Ops;

/// <summary>The plain server asks for a function key, as Azure does, when OPS_FUNCTION_KEY is set.</summary>
[Lane(TestLane.Database)]
public class FunctionKeyTests(DatabaseFixture fixture) : DatabaseTest(fixture)
{
    private const string Key = "local-function-key-0123456789";
    private InProcessServer _server = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _server = await InProcessServer.StartAsync(OpsTestSettings.For(Db, new() { [SettingNames.OpsFunctionKey] = Key }));
    }

    public override async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await base.DisposeAsync();
    }

    [Theory]
    [InlineData("/ops/escalation/health", "GET")]
    [InlineData("/ops/escalation/tick", "POST")]
    [InlineData("/ops/escalation/recalc", "POST")]
    public async Task Every_ops_route_needs_the_key(string path, string method)
    {
        var answer = await OpsCall.SendAsync(_server.Client, OpsCall.Signed(path, method: method));

        Assert.Equal((401, "invalid_function_key"), (answer.Status, answer.Error));
        Assert.Equal(0, await Db.ScalarAsync<long>("SELECT count(*) FROM ops_audit"));
    }

    [Fact]
    public async Task The_key_is_accepted_in_the_header_or_the_code_query_parameter_and_a_wrong_one_is_not()
    {
        var inHeader = new HttpRequestMessage(HttpMethod.Get, "/ops/escalation/health");
        inHeader.Headers.Add("x-functions-key", Key);
        var wrong = new HttpRequestMessage(HttpMethod.Get, "/ops/escalation/health");
        wrong.Headers.Add("x-functions-key", Key + "x");

        Assert.Equal(200, (await OpsCall.SendAsync(_server.Client, inHeader)).Status);
        Assert.Equal(200, (await OpsCall.SendAsync(_server.Client, new HttpRequestMessage(HttpMethod.Get, $"/ops/escalation/health?code={Key}"))).Status);
        Assert.Equal(401, (await OpsCall.SendAsync(_server.Client, wrong)).Status);

        var tick = OpsCall.Signed("/ops/escalation/tick");
        tick.Headers.Add("x-functions-key", Key);
        Assert.Equal(200, (await OpsCall.SendAsync(_server.Client, tick)).Status);
    }
}
