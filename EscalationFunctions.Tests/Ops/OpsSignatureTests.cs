using EscalationFunctions.Engine.Security;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace EscalationFunctions.Tests.Ops;

/// <summary>The timestamped HMAC of reference §6, over real HTTP.</summary>
[Lane(TestLane.Process)]
public class OpsSignatureTests(DatabaseFixture fixture) : DatabaseTest(fixture)
{
    private InProcessServer _server = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _server = await InProcessServer.StartAsync(Settings());
    }

    private Dictionary<string, string> Settings() => OpsTestSettings.For(Db, new()
    {
        [SettingNames.OpsHmacSecret] = $"{OpsCall.Secret},{OpsCall.OldSecret}",
        [SettingNames.OpsRateLimitPerMinute] = "1000",
    });

    public override async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await base.DisposeAsync();
    }

    private Task<OpsCall.Answer> SendAsync(HttpRequestMessage request) => OpsCall.SendAsync(_server.Client, request);

    [Fact]
    public async Task A_correctly_signed_tick_by_an_admin_runs_and_answers_the_specs_fields()
    {
        await Incidents.InsertDueAsync(Db, 3);

        var answer = await SendAsync(OpsCall.Signed("/ops/escalation/tick"));

        Assert.Equal(200, answer.Status);
        Assert.Equal(3, answer.Json.GetProperty("escalations").GetInt32());
        Assert.Equal(0, answer.Json.GetProperty("skippedIdempotent").GetInt32());
        Assert.False(answer.Json.GetProperty("dryRun").GetBoolean());
        Assert.False(answer.Json.GetProperty("paused").GetBoolean());
        Assert.Equal(3, await Incidents.EventCountAsync(Db));
        var audit = await Db.QueryAsync("SELECT caller, endpoint, outcome, http_status, details->>'escalations' FROM ops_audit",
            r => (r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt32(3), r.GetString(4)));
        Assert.Contains(("alice", "tick", "ok", 200, "3"), audit);
    }

    [Fact]
    public async Task A_tampered_body_or_a_wrong_key_is_refused()
    {
        var tampered = OpsCall.Signed("/ops/escalation/tick", body: """{"reason":"a"}""");
        tampered.Content = new ByteArrayContent("""{"reason":"b"}"""u8.ToArray());
        var wrongKey = OpsCall.Signed("/ops/escalation/tick", secret: "some-other-secret-0123456789abcdefghij");

        Assert.Equal((401, "signature_mismatch"), await StatusAndErrorAsync(tampered));
        Assert.Equal((401, "signature_mismatch"), await StatusAndErrorAsync(wrongKey));
        Assert.Equal(0, await Incidents.EventCountAsync(Db));
    }

    [Theory]
    [InlineData(null, "sha256=00", "missing_signature")]
    [InlineData("1700000000", null, "missing_signature")]
    [InlineData("soon", "sha256=00", "invalid_timestamp")]
    [InlineData("-5", "sha256=00", "invalid_timestamp")]
    [InlineData("NOW", "sha256=00", "invalid_signature")]
    [InlineData("NOW", "md5=0123456789abcdef0123456789abcdef", "invalid_signature")]
    [InlineData("NOW", "sha256=zz23456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "invalid_signature")]
    [InlineData("NOW", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "invalid_signature")]
    public async Task Missing_or_garbled_signature_headers_are_refused(string? timestamp, string? signature, string error)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/ops/escalation/tick") { Content = new StringContent("{}") };
        if (timestamp is not null)
        {
            request.Headers.TryAddWithoutValidation(HmacRequestSignature.TimestampHeader,
                timestamp == "NOW" ? DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString() : timestamp);
        }
        if (signature is not null)
        {
            request.Headers.TryAddWithoutValidation(HmacRequestSignature.SignatureHeader, signature);
        }
        request.Headers.TryAddWithoutValidation(ClientPrincipal.Header, OpsCall.Admin("alice"));

        Assert.Equal((401, error), await StatusAndErrorAsync(request));
    }

    [Theory]
    [InlineData(-301, 401)]
    [InlineData(301, 401)]
    [InlineData(-295, 200)]
    [InlineData(295, 200)]
    public async Task The_timestamp_must_be_within_300_seconds_of_the_server(int offsetSeconds, int status)
    {
        // The server compares whole seconds: a call that crosses into the next second sees 301 s ahead
        // as 300 s and accepts it. A server clock held at the start of a second keeps the edge where the test puts it.
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
        await using var server = await InProcessServer.StartAsync(Settings(), time);
        var ts = time.GetUtcNow().ToUnixTimeSeconds() + offsetSeconds;

        var answer = await OpsCall.SendAsync(server.Client, OpsCall.Signed("/ops/escalation/tick", timestamp: ts));

        Assert.Equal(status, answer.Status);
        if (status == 401)
        {
            Assert.Equal("stale_timestamp", answer.Error);
        }
    }

    [Fact]
    public async Task A_captured_request_cannot_be_replayed_on_the_same_endpoint_the_other_endpoint_or_another_instance()
    {
        var original = OpsCall.Signed("/ops/escalation/tick");
        var again = await OpsCall.CloneAsync(original);
        var onRecalc = await OpsCall.CloneAsync(original, "/ops/escalation/recalc");
        var elsewhere = await OpsCall.CloneAsync(original);

        Assert.Equal(200, (await SendAsync(original)).Status);
        Assert.Equal((401, "replayed_signature"), await StatusAndErrorAsync(again));
        Assert.Equal((401, "replayed_signature"), await StatusAndErrorAsync(onRecalc));

        await using var secondInstance = await ServerProcess.StartAsync(OpsTestSettings.For(Db, new()
        {
            [SettingNames.OpsHmacSecret] = $"{OpsCall.Secret},{OpsCall.OldSecret}",
        }));
        using var client = new HttpClient { BaseAddress = secondInstance.BaseUrl };
        var answer = await OpsCall.SendAsync(client, elsewhere);
        Assert.Equal((401, "replayed_signature"), (answer.Status, answer.Error));
        Assert.Contains(await Db.QueryAsync("SELECT DISTINCT instance_id FROM ops_audit WHERE outcome = 'replayed_signature'", r => r.GetString(0)),
            id => id.EndsWith(":" + secondInstance.Id));
    }

    [Fact]
    public async Task During_rotation_both_the_new_and_the_old_key_are_accepted()
    {
        Assert.Equal(200, (await SendAsync(OpsCall.Signed("/ops/escalation/tick", secret: OpsCall.Secret))).Status);
        Assert.Equal(200, (await SendAsync(OpsCall.Signed("/ops/escalation/recalc", secret: OpsCall.OldSecret))).Status);
    }

    [Fact]
    public async Task No_key_signature_or_principal_reaches_the_logs_or_the_audit_table()
    {
        var signed = OpsCall.Signed("/ops/escalation/tick");
        var signature = signed.Headers.GetValues(HmacRequestSignature.SignatureHeader).Single();
        await SendAsync(signed);
        await SendAsync(OpsCall.Signed("/ops/escalation/tick", secret: "wrong-secret-0123456789abcdefghijklmnop"));

        var audit = string.Join('\n', await Db.QueryAsync("SELECT ops_audit::text FROM ops_audit", r => r.GetString(0)));
        foreach (var secret in new[] { OpsCall.Secret, OpsCall.OldSecret, signature, signature["sha256=".Length..], OpsCall.Admin("alice") })
        {
            Assert.DoesNotContain(secret, audit);
            Assert.DoesNotContain(secret, _server.Logs.All);
        }
        Assert.Contains(_server.Logs.Lines, l => l.Contains("signature_mismatch"));
    }

    private async Task<(int, string?)> StatusAndErrorAsync(HttpRequestMessage request)
    {
        var answer = await SendAsync(request);
        return (answer.Status, answer.Error);
    }
}
