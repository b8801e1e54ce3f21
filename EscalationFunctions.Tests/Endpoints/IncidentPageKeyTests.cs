using System.Text.Json;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Support;

namespace EscalationFunctions.Tests.Endpoints;

/// <summary>
/// The plain server's local incident page <c>GET /incidents/{key}</c> decodes its segment as strictly
/// as acknowledge does: <c>%2E</c> and <c>%2E%2E</c> are the incidents '.' and '..' (the server routes on
/// the raw target), four-byte characters arrive whole, and bytes that are not UTF-8 are a 400. Like
/// every call that reaches the app it is audited (endpoint <c>incident</c>).
/// </summary>
[Lane(TestLane.Database)]
public class IncidentPageKeyTests(DatabaseFixture fixture) : DatabaseTest(fixture)
{
    private InProcessServer _server = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await HostileKeys.InsertAsync(Db, [.. HostileKeys.Special, .. HostileKeys.Decoys, "%2E", "%2E%2E"]);
        _server = await InProcessServer.StartAsync(TestSettings.Environment(Db));
    }

    public override async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await base.DisposeAsync();
    }

    private Task<RawHttp.Answer> GetAsync(string segment) =>
        RawHttp.SendAsync(_server.BaseUrl, RawHttp.Request("GET", "/incidents/" + segment, []));

    private Task<List<(string Endpoint, int Status)>> AuditAsync() =>
        Db.QueryAsync("SELECT endpoint, http_status FROM ops_audit ORDER BY id", r => (r.GetString(0), r.GetInt32(1)));

    // The 1,000-character key of four-byte characters is 12,000 bytes percent-encoded, more than Kestrel's
    // 8 KiB request line: no GET can name it. A key of 100 such characters is 1,200 bytes.
    [Theory]
    [InlineData(nameof(HostileKeys.Dot))]
    [InlineData(nameof(HostileKeys.DotDot))]
    [InlineData(nameof(HostileKeys.FourByteShort))]
    public async Task The_page_shows_the_incident_the_segment_names(string name)
    {
        var key = name switch
        {
            nameof(HostileKeys.Dot) => HostileKeys.Dot,
            nameof(HostileKeys.DotDot) => HostileKeys.DotDot,
            _ => HostileKeys.FourByteShort,
        };
        var segment = HostileKeys.Segment(key); // %2E, %2E%2E, %F0%9F%98%80...

        var answer = await GetAsync(segment);

        Assert.True(answer.Status == 200, $"GET /incidents/{segment}: {answer.Status} {answer.Body}");
        Assert.StartsWith("application/json", answer.ContentType);
        Assert.Equal(key, JsonDocument.Parse(answer.Body).RootElement.GetProperty("incidentKey").GetString());
    }

    [Theory]
    [InlineData("%FF")]
    [InlineData("%C3%28")]
    public async Task A_segment_that_is_not_UTF8_is_400_invalid_incident_key(string segment)
    {
        var answer = await GetAsync(segment);

        Assert.True(answer.Status == 400, $"GET /incidents/{segment}: {answer.Status} {answer.Body}");
        Assert.StartsWith("application/json", answer.ContentType);
        Assert.Equal("invalid_incident_key", JsonDocument.Parse(answer.Body).RootElement.GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("%2E%2E", 200)]
    [InlineData("NO-SUCH-INCIDENT", 404)]
    [InlineData("%FF", 400)]
    public async Task Each_call_to_the_page_is_audited_once_as_incident(string segment, int status)
    {
        var answer = await GetAsync(segment);

        Assert.Equal(status, answer.Status);
        Assert.Equal([("incident", status)], await AuditAsync());
    }
}
