using EscalationFunctions.Engine.Security;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Ops;
using EscalationFunctions.Tests.Support;

namespace EscalationFunctions.Tests.Acknowledge;

/// <summary><c>POST /ops/incidents/{incident_key}/ack</c> (reference §6.2) over real HTTP and PostgreSQL, behind the locks of tick.</summary>
[Lane(TestLane.Database)]
public class AckEndpointTests(DatabaseFixture fixture) : DatabaseTest(fixture)
{
    private InProcessServer _server = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _server = await InProcessServer.StartAsync(OpsTestSettings.For(Db, new() { [SettingNames.OpsRateLimitPerMinute] = "1000" }));
    }

    public override async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await base.DisposeAsync();
    }

    private static string AckPath(string key) => $"/ops/incidents/{Uri.EscapeDataString(key)}/ack";

    private Task<OpsCall.Answer> AckAsync(string key, string? principal = null) =>
        OpsCall.SendAsync(_server.Client, OpsCall.Signed(AckPath(key), principal: principal));

    private Task<(DateTime? At, string? By, DateTime? NextDue)> StateAsync(string key) =>
        Db.QueryAsync("SELECT acknowledged_at, acknowledged_by, next_due_at FROM incidents WHERE incident_key = @k",
            r => (r.IsDBNull(0) ? (DateTime?)null : r.GetDateTime(0), r.IsDBNull(1) ? null : r.GetString(1), r.IsDBNull(2) ? (DateTime?)null : r.GetDateTime(2)),
            ("k", key)).ContinueWith(t => t.Result.Single());

    [Fact]
    public async Task An_admins_signed_call_acknowledges_answers_the_specs_fields_stops_escalation_and_is_audited()
    {
        await Incidents.InsertDueAsync(Db, 2);

        var answer = await AckAsync("INC-0");

        Assert.Equal(200, answer.Status);
        Assert.Equal("INC-0", answer.Json.GetProperty("incidentKey").GetString());
        Assert.Equal("alice", answer.Json.GetProperty("acknowledgedBy").GetString());
        Assert.False(answer.Json.GetProperty("alreadyAcknowledged").GetBoolean());
        var (at, by, nextDue) = await StateAsync("INC-0");
        Assert.Equal(at!.Value, answer.Json.GetProperty("acknowledgedAt").GetDateTimeOffset().UtcDateTime, TimeSpan.FromMilliseconds(1));
        Assert.Equal("alice", by);
        Assert.Null(nextDue);

        var tick = await OpsCall.SendAsync(_server.Client, OpsCall.Signed("/ops/escalation/tick"));
        Assert.Equal(1, tick.Json.GetProperty("escalations").GetInt32());
        Assert.Equal(0, await Incidents.LevelOfAsync(Db, "INC-0"));
        Assert.Equal(1, await Incidents.LevelOfAsync(Db, "INC-1"));

        var audit = await Db.QueryAsync("SELECT caller, outcome, http_status, details->>'incidentKey' FROM ops_audit WHERE endpoint = 'ack'",
            r => (r.GetString(0), r.GetString(1), r.GetInt32(2), r.GetString(3)));
        Assert.Equal([("alice", "ok", 200, "INC-0")], audit);
    }

    [Fact]
    public async Task A_second_call_changes_nothing_and_says_who_acknowledged_first()
    {
        await Incidents.InsertDueAsync(Db, 1);
        var first = await AckAsync("INC-0");

        var second = await AckAsync("INC-0", OpsCall.Admin("bob"));

        Assert.Equal(200, second.Status);
        Assert.True(second.Json.GetProperty("alreadyAcknowledged").GetBoolean());
        Assert.Equal("alice", second.Json.GetProperty("acknowledgedBy").GetString());
        Assert.Equal(first.Json.GetProperty("acknowledgedAt").GetDateTimeOffset(), second.Json.GetProperty("acknowledgedAt").GetDateTimeOffset());
        Assert.Equal("alice", (await StateAsync("INC-0")).By);
    }

    [Fact]
    public async Task An_incident_acknowledged_by_plain_SQL_is_reported_as_already_acknowledged_by_nobody_named()
    {
        await Incidents.InsertDueAsync(Db, 1);
        await Db.ExecuteAsync("UPDATE incidents SET acknowledged_at = now() WHERE incident_key = 'INC-0'");

        var answer = await AckAsync("INC-0");

        Assert.True(answer.Json.GetProperty("alreadyAcknowledged").GetBoolean());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, answer.Json.GetProperty("acknowledgedBy").ValueKind);
        Assert.Null((await StateAsync("INC-0")).By);
    }

    [Theory]
    [InlineData("NOPE-1")]
    [InlineData("payments/NOPE 2")]
    public async Task An_unknown_key_is_404_incident_not_found(string key)
    {
        await Incidents.InsertDueAsync(Db, 1);

        var answer = await OpsCall.SendAsync(_server.Client, OpsCall.Signed(AckPath(key)));

        Assert.Equal((404, "incident_not_found"), (answer.Status, answer.Error));
        Assert.Null((await StateAsync("INC-0")).At);
    }

    [Theory]
    [InlineData("payments/INC 42")]
    [InlineData("50% off?#frag&x=1")]
    [InlineData("ünïcode-€-😀")]
    public async Task Keys_with_slashes_spaces_and_reserved_characters_reach_their_incident(string key)
    {
        await Incidents.InsertAsync(Db, key, "payments", "critical", TimeSpan.FromMinutes(1));

        var answer = await AckAsync(key);

        Assert.Equal(200, answer.Status);
        Assert.Equal(key, answer.Json.GetProperty("incidentKey").GetString());
        Assert.NotNull((await StateAsync(key)).At);
    }

    [Fact]
    public async Task The_locks_of_tick_apply_and_a_refused_call_changes_nothing()
    {
        await Incidents.InsertDueAsync(Db, 1);
        var unsigned = new HttpRequestMessage(HttpMethod.Post, AckPath("INC-0")) { Content = new StringContent("{}") };
        unsigned.Headers.TryAddWithoutValidation(ClientPrincipal.Header, OpsCall.Admin("alice"));
        var stale = OpsCall.Signed(AckPath("INC-0"), timestamp: DateTimeOffset.UtcNow.AddMinutes(-6).ToUnixTimeSeconds());
        var noRole = OpsCall.Signed(AckPath("INC-0"), principal: ClientPrincipal.Encode("mallory", ["reader"]));
        var noPrincipal = OpsCall.Signed(AckPath("INC-0"), withPrincipal: false);
        var tooLarge = OpsCall.Signed(AckPath("INC-0"), body: new string('x', 64 * 1024 + 1));
        var get = OpsCall.Signed(AckPath("INC-0"), method: "GET");

        Assert.Equal((401, "missing_signature"), await StatusAsync(unsigned));
        Assert.Equal((401, "stale_timestamp"), await StatusAsync(stale));
        Assert.Equal((403, "missing_role"), await StatusAsync(noRole));
        Assert.Equal((401, "missing_principal"), await StatusAsync(noPrincipal));
        Assert.Equal((413, "payload_too_large"), await StatusAsync(tooLarge));
        Assert.Equal((405, "method_not_allowed"), await StatusAsync(get));
        Assert.Null((await StateAsync("INC-0")).At);
        Assert.Equal(6, await Db.ScalarAsync<long>("SELECT count(*) FROM ops_audit WHERE endpoint = 'ack' AND http_status >= 400"));
    }

    [Fact]
    public async Task A_replayed_ack_is_refused()
    {
        await Incidents.InsertDueAsync(Db, 1);
        var first = OpsCall.Signed(AckPath("INC-0"));
        var replay = await OpsCall.CloneAsync(first);

        Assert.Equal(200, (await OpsCall.SendAsync(_server.Client, first)).Status);
        Assert.Equal((401, "replayed_signature"), await StatusAsync(replay));
    }

    [Fact]
    public async Task Ack_calls_are_rate_limited_per_caller()
    {
        await using var limited = await InProcessServer.StartAsync(OpsTestSettings.For(Db, new() { [SettingNames.OpsRateLimitPerMinute] = "2" }));
        await Incidents.InsertDueAsync(Db, 3);

        var answers = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            answers.Add((await OpsCall.SendAsync(limited.Client, OpsCall.Signed(AckPath($"INC-{i}")))).Status);
        }

        Assert.Equal([200, 200, 429], answers);
        Assert.Null((await StateAsync("INC-2")).At);
    }

    private async Task<(int, string?)> StatusAsync(HttpRequestMessage request)
    {
        var answer = await OpsCall.SendAsync(_server.Client, request);
        return (answer.Status, answer.Error);
    }
}
