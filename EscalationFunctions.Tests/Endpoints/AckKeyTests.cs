using System.Text;
using System.Text.Json;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Ops;
using EscalationFunctions.Tests.Support;

namespace EscalationFunctions.Tests.Endpoints;

/// <summary>
/// Which incident an acknowledge call names (reference §6.2), on the plain server over raw HTTP (so that
/// <c>%2E</c> reaches it as sent): the path segment is percent-decoded strictly as UTF-8, and the body
/// form <c>POST /ops/incidents/ack</c> with <c>{"incidentKey": "..."}</c> carries any key.
/// </summary>
[Lane(TestLane.Database)]
public class AckKeyTests(DatabaseFixture fixture) : DatabaseTest(fixture)
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

    private static readonly Dictionary<string, string> Keys = new()
    {
        [nameof(HostileKeys.Dot)] = HostileKeys.Dot,
        [nameof(HostileKeys.DotDot)] = HostileKeys.DotDot,
        [nameof(HostileKeys.FourByteLong)] = HostileKeys.FourByteLong,
        [nameof(HostileKeys.FourByteShort)] = HostileKeys.FourByteShort,
        [nameof(HostileKeys.Slash)] = HostileKeys.Slash,
        [nameof(HostileKeys.CrLf)] = HostileKeys.CrLf,
        [nameof(HostileKeys.LineSeparator)] = HostileKeys.LineSeparator,
    };

    /// <summary>Every key of <see cref="HostileKeys"/>, decoys included, and the literal text of the dot segments.</summary>
    private Task SeedAsync() => HostileKeys.InsertAsync(Db, [.. HostileKeys.Special, .. HostileKeys.Decoys, "%2E", "%2E%2E", "INC-1"]);

    private async Task<RawHttp.Answer> AckAsync(string target, byte[] body, string principal = "alice") =>
        await RawHttp.SendAsync(_server.BaseUrl, EndpointCalls.Ack(target, body, OpsCall.Admin(principal)));

    private Task<List<(string Endpoint, int Status, string Outcome)>> AuditAsync() =>
        Db.QueryAsync("SELECT endpoint, http_status, outcome FROM ops_audit ORDER BY id", r => (r.GetString(0), r.GetInt32(1), r.GetString(2)));

    private async Task AssertOnlyAcknowledgedAsync(string key, string by)
    {
        var acknowledged = await Incidents.AcknowledgedAsync(Db);
        Assert.True(acknowledged.Count == 1 && acknowledged.GetValueOrDefault(key) == by,
            $"expected only {HostileKeys.Show(key)} acknowledged by '{by}', got: " + string.Join(", ", acknowledged.Select(a => $"{HostileKeys.Show(a.Key)} by '{a.Value}'")));
    }

    private static void AssertAcknowledgement(RawHttp.Answer answer, string key, string by)
    {
        Assert.True(answer.Status == 200, $"{answer.Status} {answer.Body}");
        Assert.StartsWith("application/json", answer.ContentType);
        var json = JsonDocument.Parse(answer.Body).RootElement;
        Assert.Equal(key, json.GetProperty("incidentKey").GetString());
        Assert.Equal(by, json.GetProperty("acknowledgedBy").GetString());
        Assert.False(json.GetProperty("alreadyAcknowledged").GetBoolean());
        json.GetProperty("acknowledgedAt").GetDateTimeOffset();
    }

    private static void AssertError(RawHttp.Answer answer, int status, string error)
    {
        Assert.True(answer.Status == status, $"expected {status} {error}, got {answer.Status} {answer.Body}");
        Assert.StartsWith("application/json", answer.ContentType);
        var json = JsonDocument.Parse(answer.Body).RootElement;
        Assert.Equal(error, json.GetProperty("error").GetString());
        Assert.False(string.IsNullOrEmpty(json.GetProperty("message").GetString()));
    }

    [Theory]
    [InlineData("%2E", HostileKeys.Dot)]
    [InlineData("%2E%2E", HostileKeys.DotDot)]
    [InlineData("%2e", HostileKeys.Dot)]
    [InlineData("%2e%2E", HostileKeys.DotDot)]
    public async Task On_the_plain_server_the_segments_2E_and_2E2E_acknowledge_the_incidents_dot_and_dot_dot(string segment, string key)
    {
        await SeedAsync();

        var answer = await AckAsync(EndpointCalls.AckByPath(segment), EndpointCalls.RequestIdBody());

        AssertAcknowledgement(answer, key, "alice");
        await AssertOnlyAcknowledgedAsync(key, "alice");
        Assert.Equal([("ack", 200, "ok")], await AuditAsync());
    }

    [Theory]
    [InlineData("%FF")]
    [InlineData("%C3%28")]
    [InlineData("%E2%82")]
    [InlineData("%G1")]
    [InlineData("%C0%AE")]
    [InlineData("%ED%A0%80")]
    public async Task A_segment_that_is_not_percent_encoded_UTF8_is_400_invalid_incident_key_audited_and_acknowledges_nothing(string segment)
    {
        await SeedAsync();

        var answer = await AckAsync(EndpointCalls.AckByPath(segment), EndpointCalls.RequestIdBody());

        AssertError(answer, 400, "invalid_incident_key");
        // Neither the incident whose key is the segment's text nor what a lenient decoder makes of it (U+FFFD, or '.' from %C0%AE).
        Assert.Empty(await Incidents.AcknowledgedAsync(Db));
        Assert.Equal([("ack", 400, "invalid_incident_key")], await AuditAsync());
    }

    [Theory]
    [InlineData(nameof(HostileKeys.Dot), false)]
    [InlineData(nameof(HostileKeys.DotDot), false)]
    [InlineData(nameof(HostileKeys.FourByteLong), false)]
    [InlineData(nameof(HostileKeys.FourByteLong), true)]
    [InlineData(nameof(HostileKeys.FourByteShort), true)]
    [InlineData(nameof(HostileKeys.Slash), false)]
    [InlineData(nameof(HostileKeys.CrLf), false)]
    [InlineData(nameof(HostileKeys.LineSeparator), true)]
    public async Task The_body_form_acknowledges_the_incident_it_names_whatever_its_key(string name, bool rawUtf8)
    {
        await SeedAsync();
        var key = Keys[name];

        var answer = await AckAsync(EndpointCalls.AckByBody, EndpointCalls.AckBody(key, rawUtf8));

        AssertAcknowledgement(answer, key, "alice");
        await AssertOnlyAcknowledgedAsync(key, "alice");
        Assert.Equal([("ack", 200, "ok")], await AuditAsync());
    }

    [Fact]
    public async Task The_body_form_ignores_other_properties()
    {
        await SeedAsync();

        var answer = await AckAsync(EndpointCalls.AckByBody,
            Encoding.UTF8.GetBytes($$"""{"note":{"a":[1,{"b":null}]},"incidentKey":"INC-1","n":1e308,"requestId":"{{Guid.NewGuid()}}"}"""));

        AssertAcknowledgement(answer, "INC-1", "alice");
        await AssertOnlyAcknowledgedAsync("INC-1", "alice");
    }

    [Theory]
    [InlineData("[]", 400, "invalid_json")]
    [InlineData("\"INC-1\"", 400, "invalid_json")]
    [InlineData("", 400, "invalid_json")]
    [InlineData("{\"incidentKey\":\"INC-1\"", 400, "invalid_json")]
    [InlineData("{\"incidentKey\":\"INC-1\"} x", 400, "invalid_json")]
    [InlineData("{\"incidentKey\":\"\\ud800\"}", 400, "invalid_json")]
    [InlineData("{\"incidentKey\":\"INC-1\\udc00\"}", 400, "invalid_json")]
    [InlineData("{\"incidentKey\":\"INC-1\",\"incidentKey\":\"INC-1\"}", 400, "invalid_json")]
    [InlineData("{\"incidentKey\":\".\",\"incidentKey\":\"%FF\"}", 400, "invalid_json")]
    [InlineData("{}", 400, "invalid_incident_key")]
    [InlineData("{\"incident_key\":\"INC-1\"}", 400, "invalid_incident_key")]
    [InlineData("{\"incidentKey\":null}", 400, "invalid_incident_key")]
    [InlineData("{\"incidentKey\":42}", 400, "invalid_incident_key")]
    [InlineData("{\"incidentKey\":[\"INC-1\"]}", 400, "invalid_incident_key")]
    [InlineData("{\"incidentKey\":{\"key\":\"INC-1\"}}", 400, "invalid_incident_key")]
    [InlineData("{\"incidentKey\":\"\"}", 400, "invalid_incident_key")]
    [InlineData("{\"incidentKey\":\"INC-1\\u0000\"}", 404, "incident_not_found")]
    [InlineData("{\"incidentKey\":\"NO-SUCH-INCIDENT\"}", 404, "incident_not_found")]
    public async Task A_bad_body_is_a_JSON_error_that_is_audited_and_acknowledges_nothing(string body, int status, string error)
    {
        await SeedAsync();

        var answer = await AckAsync(EndpointCalls.AckByBody, Encoding.UTF8.GetBytes(body));

        AssertError(answer, status, error);
        Assert.Empty(await Incidents.AcknowledgedAsync(Db));
        Assert.Equal([("ack", status, error)], await AuditAsync());
    }

    [Fact]
    public async Task A_body_that_is_not_UTF8_is_400_invalid_json()
    {
        await SeedAsync();

        var answer = await AckAsync(EndpointCalls.AckByBody, [.. "{\"incidentKey\":\""u8, 0xFF, .. "\"}"u8]);

        AssertError(answer, 400, "invalid_json");
        Assert.Empty(await Incidents.AcknowledgedAsync(Db));
        Assert.Equal([("ack", 400, "invalid_json")], await AuditAsync());
    }
}
