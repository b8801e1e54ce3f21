using System.Net;
using System.Text;
using System.Text.Json;
using EscalationFunctions.Engine.Configuration;
using EscalationFunctions.Engine.Security;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Support;
using Xunit.Abstractions;

namespace EscalationFunctions.Tests.Ops;

/// <summary>
/// Thousands of malformed requests: every answer is a 4xx with a JSON error, none gets past
/// authentication, and nothing is escalated or recalculated.
/// </summary>
public class OpsBadInputTests(DatabaseFixture fixture, ITestOutputHelper output) : DatabaseTest(fixture)
{
    private const int PerKind = 200;
    private static readonly string[] OpsPaths = ["/ops/escalation/tick", "/ops/escalation/recalc"];

    private InProcessServer _server = null!;
    private Random _random = null!;

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


    [Fact]
    public async Task Two_thousand_four_hundred_malformed_requests_get_JSON_4xx_answers_and_change_nothing()
    {
        await Incidents.InsertDueAsync(Db, 20);
        var before = await Db.SnapshotAsync();
        // ESC_FUZZ_SEED=<seed> replays a failing run exactly.
        var seed = int.TryParse(Environment.GetEnvironmentVariable("ESC_FUZZ_SEED"), out var given) ? given : Environment.TickCount;
        _random = new Random(seed);
        output.WriteLine($"seed {seed}");

        Func<HttpRequestMessage>[] kinds =
        [
            RandomBody, TruncatedBody, HugeBody, BadBase64Principal, BadJsonPrincipal, WrongMethod,
            OddContentType, UnicodeHeaders, GarbledSignatureHeaders, StaleTimestamp, UnknownPath, QueryNoise,
        ];
        var statuses = new Dictionary<int, int>();
        foreach (var kind in kinds)
        {
            for (var i = 0; i < PerKind; i++)
            {
                var request = kind();
                var description = $"{kind.Method.Name} #{i}: {request.Method} {request.RequestUri} (seed {seed})";
                using var response = await _server.Client.SendAsync(request);
                var status = (int)response.StatusCode;
                statuses[status] = statuses.GetValueOrDefault(status) + 1;
                Assert.True(status is >= 400 and < 500, $"{description} answered {status}");
                if (request.Method == HttpMethod.Head)
                {
                    continue;
                }
                var body = await response.Content.ReadAsStringAsync();
                Assert.True(response.Content.Headers.ContentType?.MediaType == "application/json",
                    $"{description} answered {status} with '{response.Content.Headers.ContentType}': {body}");
                var json = JsonDocument.Parse(body).RootElement;
                Assert.True(json.GetProperty("error").GetString() is { Length: > 0 }, description);
                Assert.True(json.GetProperty("message").GetString() is { Length: > 0 }, description);
            }
        }
        output.WriteLine(string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}")));

        Assert.Equal(before, await Db.SnapshotAsync());
        Assert.Equal(0, await Db.ScalarAsync<long>("SELECT count(*) FROM ops_rate_limit_hits"));
        Assert.Equal(0, await Db.ScalarAsync<long>("SELECT count(*) FROM ops_audit WHERE outcome = 'ok'"));
        Assert.DoesNotContain(_server.Logs.Lines, l => l.Contains("Recalculat"));
    }

    [Theory]
    [InlineData("/ops/escalation/tick")]
    [InlineData("/ops/escalation/recalc")]
    public async Task A_body_with_broken_chunked_framing_is_a_JSON_400_that_is_audited_and_changes_nothing(string path)
    {
        await Incidents.InsertDueAsync(Db, 5);
        var before = await Db.SnapshotAsync();

        // HttpClient cannot send broken framing, so write the request by hand: "zz" is not a chunk size.
        var (status, contentType, body) = await RawHttp.SendAsync(_server.BaseUrl,
            $"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n" +
            "Connection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n");

        Assert.Equal(400, status);
        Assert.StartsWith("application/json", contentType);
        Assert.Equal("invalid_body", JsonDocument.Parse(body).RootElement.GetProperty("error").GetString());
        var audit = await Db.QueryAsync("SELECT caller, endpoint, outcome, http_status FROM ops_audit",
            r => (r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt32(3)));
        Assert.Equal(("anonymous", path.Split('/')[^1], "invalid_body", 400), Assert.Single(audit));
        Assert.Equal(before, await Db.SnapshotAsync());
    }

    // ---- generators: every request is wrong in at least one way ---------------------------

    private string OpsPath() => OpsPaths[_random.Next(OpsPaths.Length)];

    private byte[] Bytes(int min, int max)
    {
        var bytes = new byte[_random.Next(min, max)];
        _random.NextBytes(bytes);
        return bytes;
    }

    private string Garbage(int max, bool unicode = false)
    {
        var length = _random.Next(0, max);
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = unicode && _random.Next(3) == 0 ? (char)_random.Next(0xA0, 0x2FFF) : (char)_random.Next(0x21, 0x7F);
        }
        return new string(chars);
    }

    private static long Now() => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    private HttpRequestMessage Post(string path, HttpContent content) => new(HttpMethod.Post, path) { Content = content };

    private static void SignatureHeaders(HttpRequestMessage request, string timestamp, string signature)
    {
        request.Headers.TryAddWithoutValidation(HmacRequestSignature.TimestampHeader, timestamp);
        request.Headers.TryAddWithoutValidation(HmacRequestSignature.SignatureHeader, signature);
    }

    private HttpRequestMessage RandomBody()
    {
        var request = Post(OpsPath(), new ByteArrayContent(Bytes(0, 4096)));
        SignatureHeaders(request, Now().ToString(), "sha256=" + Convert.ToHexStringLower(Bytes(32, 33)));
        request.Headers.TryAddWithoutValidation(ClientPrincipal.Header, OpsCall.Admin("fuzz"));
        return request;
    }

    private HttpRequestMessage TruncatedBody()
    {
        var body = Encoding.UTF8.GetBytes($$"""{"requestId":"{{Guid.NewGuid()}}","padding":"{{new string('x', _random.Next(10, 500))}}"}""");
        var request = OpsCall.Signed(OpsPath(), Encoding.UTF8.GetString(body));
        request.Content = new ByteArrayContent(body[.._random.Next(0, body.Length)]);
        return request;
    }

    private HttpRequestMessage HugeBody()
    {
        var body = Bytes(64 * 1024 + 1, 600_000);
        var ts = Now();
        HttpContent content = _random.Next(2) == 0 ? new ByteArrayContent(body) : new UnknownLengthContent(body);
        var request = Post(OpsPath(), content);
        SignatureHeaders(request, ts.ToString(), HmacRequestSignature.Sign(OpsCall.Secret, ts, body));
        request.Headers.TryAddWithoutValidation(ClientPrincipal.Header, OpsCall.Admin("fuzz"));
        return request;
    }

    private HttpRequestMessage WithValidSignatureAnd(string? principal)
    {
        var request = OpsCall.Signed(OpsPath(), withPrincipal: false);
        if (principal is not null)
        {
            request.Headers.TryAddWithoutValidation(ClientPrincipal.Header, principal);
        }
        return request;
    }

    private HttpRequestMessage BadBase64Principal() => WithValidSignatureAnd(Garbage(300) + "!*");

    private HttpRequestMessage BadJsonPrincipal()
    {
        string[] shapes =
        [
            "{", "[]", "42", "null", "\"text\"", """{"claims":{}}""", """{"claims":[1,2]}""", """{"claims":"x"}""",
            """{"claims":[{"typ":"roles"}]}""", """{"claims":[{"typ":1,"val":"ops_admin"}]}""", new string('[', 5000),
            """{"auth_typ":"aad","claims":[{"typ":"roles","val":"ops_admin"}]""",
        ];
        var json = _random.Next(3) == 0 ? Encoding.UTF8.GetString(Bytes(1, 200)) : shapes[_random.Next(shapes.Length)];
        return WithValidSignatureAnd(Convert.ToBase64String(Encoding.UTF8.GetBytes(json)));
    }

    private HttpRequestMessage WrongMethod()
    {
        if (_random.Next(3) == 0)
        {
            var health = new HttpRequestMessage(new HttpMethod(new[] { "POST", "PUT", "DELETE", "PATCH" }[_random.Next(4)]), "/ops/escalation/health")
            {
                Content = new StringContent("{}"),
            };
            return health;
        }
        var method = new[] { "GET", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE" }[_random.Next(7)];
        var request = OpsCall.Signed(OpsPath(), method: method);
        if (method is "GET" or "HEAD" or "TRACE")
        {
            request.Content = null;
        }
        return request;
    }

    private HttpRequestMessage OddContentType()
    {
        string[] types =
        [
            "text/plain", "multipart/form-data; boundary=----x", "application/x-www-form-urlencoded", "garbage/;;;",
            "application/json; charset=utf-16", "application/octet-stream", "*/*", "application/xml",
        ];
        var request = RandomBody();
        request.Content!.Headers.TryAddWithoutValidation("Content-Type", types[_random.Next(types.Length)]);
        return request;
    }

    private HttpRequestMessage UnicodeHeaders()
    {
        var request = OpsCall.Signed(OpsPath(), withPrincipal: false);
        switch (_random.Next(4))
        {
            case 0:
                request.Headers.Remove(HmacRequestSignature.SignatureHeader);
                request.Headers.TryAddWithoutValidation(HmacRequestSignature.SignatureHeader, "sha256=" + Garbage(64, unicode: true));
                break;
            case 1:
                request.Headers.Remove(HmacRequestSignature.TimestampHeader);
                request.Headers.TryAddWithoutValidation(HmacRequestSignature.TimestampHeader, "١٧٠٠٠٠٠٠٠٠");
                break;
            case 2:
                request.Headers.TryAddWithoutValidation(ClientPrincipal.Header, "ü" + Garbage(100, unicode: true));
                break;
            default:
                request.Headers.Remove(HmacRequestSignature.SignatureHeader);
                request.Headers.TryAddWithoutValidation("X-Note-Ünïcødé", Garbage(100, unicode: true));
                request.Headers.TryAddWithoutValidation(HmacRequestSignature.SignatureHeader, "sha256=" + Garbage(64, unicode: true));
                break;
        }
        return request;
    }

    private HttpRequestMessage GarbledSignatureHeaders()
    {
        string[] timestamps = ["", " ", "1.5", "-1", "0x10", "99999999999999999999", new string('9', 5000), Now() + "abc", "+" + Now()];
        string[] signatures = ["", "sha256=", "sha256=" + new string('g', 64), "SHA256=" + new string('a', 64), "sha256=" + new string('A', 63),
            new string('x', 10_000), "sha256=" + Convert.ToHexString(Bytes(32, 33))];
        var request = Post(OpsPath(), new StringContent("{}"));
        SignatureHeaders(request, timestamps[_random.Next(timestamps.Length)], signatures[_random.Next(signatures.Length)]);
        request.Headers.TryAddWithoutValidation(ClientPrincipal.Header, OpsCall.Admin("fuzz"));
        return request;
    }

    private HttpRequestMessage StaleTimestamp()
    {
        var offset = (_random.Next(2) == 0 ? -1 : 1) * (301 + _random.NextInt64(0, 1_000_000_000));
        return OpsCall.Signed(OpsPath(), timestamp: Now() + offset);
    }

    private HttpRequestMessage UnknownPath()
    {
        string[] paths =
        [
            "/ops/escalation/tick/extra", "/ops/escalation", "/ops", "/", "/api/ops/escalation/tick", "/ops/escalation/ticks",
            "/ops/escalation/%2e%2e/tick", "/ops/escalation/" + Uri.EscapeDataString(Garbage(20, unicode: true)),
        ];
        return OpsCall.Signed(paths[_random.Next(paths.Length)], method: _random.Next(2) == 0 ? "GET" : "POST");
    }

    private HttpRequestMessage QueryNoise()
    {
        var request = RandomBody();
        request.RequestUri = new Uri(request.RequestUri + "?" + new[] { "code=", "x=%ZZ", "a=" + Uri.EscapeDataString(Garbage(50, unicode: true)), "&&&=" }[_random.Next(4)],
            UriKind.Relative);
        return request;
    }

    /// <summary>A body sent with chunked transfer encoding: no Content-Length to refuse it by.</summary>
    private sealed class UnknownLengthContent(byte[] bytes) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(bytes).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
