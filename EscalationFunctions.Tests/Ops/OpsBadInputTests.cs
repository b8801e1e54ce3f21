using System.Net;
using System.Text;
using System.Text.Json;
using EscalationFunctions.Engine.Security;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Support;

namespace EscalationFunctions.Tests.Ops;

/// <summary>
/// Single hostile requests, each a finding of a hostile-input review, against the in-process server (the seeded
/// fuzzing of every route is <see cref="OpsFuzzTests"/>, against a server process).
/// </summary>
[Lane(TestLane.Database)]
public class OpsBadInputTests(DatabaseFixture fixture) : DatabaseTest(fixture)
{
    private InProcessServer _server = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        // A different SLA from the database's: any recalculation, or any tick (which syncs the SLA), would show.
        _server = await InProcessServer.StartAsync(OpsTestSettings.For(Db, new() { [SettingNames.CriticalAckMinutes] = "7" }));
    }

    public override async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await base.DisposeAsync();
    }

    [Theory]
    [InlineData("/ops/escalation/tick", "zz")]
    [InlineData("/ops/escalation/recalc", "zz")]
    [InlineData("/ops/escalation/tick", "ffffffffffffffff")] // 2^64 - 1: an OverflowException inside the server, once a bare 500
    [InlineData("/ops/escalation/recalc", "1ffffffffffffffff")]
    public async Task A_body_with_broken_chunked_framing_is_a_JSON_400_that_is_audited_and_changes_nothing(string path, string chunkSize)
    {
        await Incidents.InsertDueAsync(Db, 5);
        var before = await Db.SnapshotAsync();

        // HttpClient cannot send broken framing, so write the request by hand.
        var (status, contentType, body) = await RawHttp.SendAsync(_server.BaseUrl,
            $"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n" +
            $"Connection: close\r\n\r\n{chunkSize}\r\n{{}}\r\n0\r\n\r\n");

        Assert.Equal(400, status);
        Assert.StartsWith("application/json", contentType);
        Assert.Equal("invalid_body", JsonDocument.Parse(body).RootElement.GetProperty("error").GetString());
        var audit = await Db.QueryAsync("SELECT caller, endpoint, outcome, http_status FROM ops_audit",
            r => (r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt32(3)));
        Assert.Equal(("anonymous", path.Split('/')[^1], "invalid_body", 400), Assert.Single(audit));
        Assert.Equal(before, await Db.SnapshotAsync());
    }

    [Theory]
    [InlineData("999999999999")] // year 33658: once an ArgumentOutOfRangeException before the MAC was checked
    [InlineData("253402300800")] // 10000-01-01: one second past the last date .NET can hold
    [InlineData("0")]
    public async Task A_timestamp_outside_the_dates_is_a_JSON_401_whatever_the_signature(string timestamp)
    {
        using var request = OpsCall.Signed("/ops/escalation/tick");
        request.Headers.Remove(HmacRequestSignature.TimestampHeader);
        request.Headers.Remove(HmacRequestSignature.SignatureHeader);
        request.Headers.TryAddWithoutValidation(HmacRequestSignature.TimestampHeader, timestamp);
        request.Headers.TryAddWithoutValidation(HmacRequestSignature.SignatureHeader, "sha256=" + new string('0', 64));

        var answer = await OpsCall.SendAsync(_server.Client, request);

        Assert.Equal((401, "stale_timestamp"), (answer.Status, answer.Error));
        Assert.Equal(1, await Db.ScalarAsync<long>("SELECT count(*) FROM ops_audit WHERE outcome = 'stale_timestamp'"));
    }

    [Theory]
    [InlineData(new byte[] { 0xC3, 0x28 })] // not UTF-8
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })] // a UTF-8-encoded surrogate
    [InlineData(new byte[] { 0x5C, 0x75, 0x64, 0x38, 0x30, 0x30 })] // the JSON escape \ud800: a lone surrogate
    public async Task A_signed_call_whose_principal_is_not_valid_text_is_a_JSON_401(byte[] inName)
    {
        await Incidents.InsertDueAsync(Db, 3);
        var before = await Db.SnapshotAsync();
        byte[] json = [.. """{"claims":[{"typ":"name","val":"x"""u8, .. inName, .. "\"},{\"typ\":\"roles\",\"val\":\"ops_admin\"}],\"name_typ\":\"name\"}"u8];

        var answer = await OpsCall.SendAsync(_server.Client, OpsCall.Signed("/ops/escalation/tick", principal: Convert.ToBase64String(json)));

        Assert.Equal((401, "invalid_principal"), (answer.Status, answer.Error));
        Assert.Equal(1, await Db.ScalarAsync<long>("SELECT count(*) FROM ops_audit WHERE outcome = 'invalid_principal'"));
        Assert.Equal(before, await Db.SnapshotAsync());
    }

    [Fact]
    public async Task Callers_named_with_NUL_and_line_breaks_are_audited_escaped_whether_refused_or_served()
    {
        await Incidents.InsertDueAsync(Db, 2);
        const string name = "mallory\0\r\nFAKE 200 by admin\u2028";
        const string escaped = "mallory\\u0000\\u000d\\u000aFAKE 200 by admin\\u2028";

        var refused = await OpsCall.SendAsync(_server.Client,
            OpsCall.Signed("/ops/escalation/tick", principal: ClientPrincipal.Encode(name, ["reader"])));
        var served = await OpsCall.SendAsync(_server.Client, OpsCall.Signed("/ops/escalation/tick", principal: OpsCall.Admin(name)));

        Assert.Equal((403, "missing_role"), (refused.Status, refused.Error));
        Assert.Equal(200, served.Status);
        Assert.Equal(2, served.Json.GetProperty("escalations").GetInt32());
        var audit = await Db.QueryAsync("SELECT caller, outcome, http_status FROM ops_audit ORDER BY id",
            r => (r.GetString(0), r.GetString(1), r.GetInt32(2)));
        Assert.Equal([(escaped, "missing_role", 403), (escaped, "ok", 200)], audit);
        Assert.DoesNotContain(_server.Logs.Lines, l => l.Any(c => char.IsControl(c) || c == '\u2028'));
        Assert.Contains(_server.Logs.Lines, l => l.Contains(escaped, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_call_whose_audit_row_cannot_be_written_is_refused_with_a_JSON_503_and_not_run()
    {
        await Incidents.InsertDueAsync(Db, 3);
        var before = await Db.SnapshotAsync();
        // Stands in for any failure to write the row (a full disk, a revoked grant) for this one caller.
        await Db.ExecuteAsync(
            """
            CREATE FUNCTION pg_temp_refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'audit refused for this test'; END $$;
            CREATE TRIGGER refuse_audit BEFORE INSERT ON ops_audit FOR EACH ROW WHEN (NEW.caller = 'unauditable')
            EXECUTE FUNCTION pg_temp_refuse_audit();
            """);
        try
        {
            var answer = await OpsCall.SendAsync(_server.Client, OpsCall.Signed("/ops/escalation/tick", principal: OpsCall.Admin("unauditable")));

            Assert.Equal((503, "audit_unavailable"), (answer.Status, answer.Error));
            Assert.Equal(before, await Db.SnapshotAsync());
        }
        finally
        {
            await Db.ExecuteAsync("DROP TRIGGER refuse_audit ON ops_audit; DROP FUNCTION pg_temp_refuse_audit();");
        }
    }

    [Fact]
    public async Task A_function_key_sent_as_code_never_reaches_a_log_line()
    {
        const string key = "query-string-function-key-0123456789";
        await using var keyed = await InProcessServer.StartAsync(OpsTestSettings.For(Db, new() { [SettingNames.OpsFunctionKey] = key }));

        using var health = await keyed.Client.GetAsync($"/ops/escalation/health?code={key}");
        using var wrong = await keyed.Client.GetAsync($"/ops/escalation/health%0d%0aFAKE?code={key}x");
        using var tick = await keyed.Client.SendAsync(OpsCall.Signed($"/ops/escalation/tick?code={key}"));

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.OK, tick.StatusCode);
        Assert.NotEmpty(keyed.Logs.Lines);
        Assert.DoesNotContain(keyed.Logs.Lines, l => l.Contains(key, StringComparison.Ordinal));
        Assert.DoesNotContain(keyed.Logs.Lines, l => l.Any(char.IsControl));
    }
}
