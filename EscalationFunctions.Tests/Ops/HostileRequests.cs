using System.Text;
using EscalationFunctions.Engine.Security;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Support;

namespace EscalationFunctions.Tests.Ops;

/// <summary>One hostile request as the bytes sent on the wire, with what was done to it (for failure messages).</summary>
public sealed record HostileRequest(string Kind, string Summary, byte[] Bytes, bool IsHead);

/// <summary>
/// Seeded generator of hostile ops requests (reference §6.1). Each starts as a valid, signed admin call
/// with a valid function key to a random ops route, then is broken in one or two ways: method,
/// body, framing, signature and timestamp headers, principal, function key, query string, path,
/// header bytes, or an exact replay. Requests are raw HTTP/1.1 bytes, so nothing a client library
/// would refuse to send is out of reach.
/// </summary>
public sealed class HostileRequests(Random random, string functionKey)
{
    // The ack route names an incident that does not exist: a valid call is a 404 and changes nothing.
    private static readonly string[] Routes = ["/ops/escalation/tick", "/ops/escalation/recalc", "/ops/escalation/health", "/ops/incidents/FUZZ%2FNONE/ack"];
    private readonly List<byte[]> _sent = [];

    public HostileRequest Next()
    {
        var call = ValidCall();
        Action<Call>[] mutations =
        [
            Method, Body, HugeBody, Framing, SignatureHeaders, Timestamp, Principal, Principal, FunctionKey,
            Query, Path, HeaderBytes, ContentType, Valid,
        ];
        var first = mutations[random.Next(mutations.Length)];
        first(call);
        if (random.Next(4) == 0)
        {
            mutations[random.Next(mutations.Length)](call);
        }

        if (_sent.Count > 0 && random.Next(25) == 0)
        {
            var replay = _sent[random.Next(_sent.Count)];
            return new HostileRequest("Replay", "an earlier request, byte for byte", replay, IsHead(replay));
        }
        var bytes = call.Bytes();
        if (_sent.Count < 200)
        {
            _sent.Add(bytes);
        }
        return new HostileRequest(string.Join("+", call.Kinds), call.Summary(), bytes, call.Method == "HEAD");
    }

    // ---- the valid call every hostile one starts from ------------------------------------------

    private Call ValidCall()
    {
        var route = Routes[random.Next(Routes.Length)];
        var call = new Call { Method = route.EndsWith("health") ? "GET" : "POST", Path = route };
        call.Body = route.EndsWith("health") ? [] : Encoding.UTF8.GetBytes($$"""{"requestId":"{{Guid.NewGuid()}}"}""");
        call.Headers["Content-Type"] = Ascii("application/json");
        call.Headers[FunctionKeyHeader] = Ascii(functionKey);
        call.Headers[ClientPrincipal.Header] = Ascii(OpsCall.Admin("fuzz-" + random.Next(50)));
        Sign(call, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        return call;
    }

    private const string FunctionKeyHeader = "x-functions-key";

    private static void Sign(Call call, long timestamp)
    {
        call.Headers[HmacRequestSignature.TimestampHeader] = Ascii(timestamp.ToString());
        call.Headers[HmacRequestSignature.SignatureHeader] = Ascii(HmacRequestSignature.Sign(OpsCall.Secret, timestamp, call.Body));
    }

    // ---- mutations --------------------------------------------------------------------------------

    private void Valid(Call call) => call.Kinds.Add("Valid");

    private void Method(Call call)
    {
        string[] methods = ["GET", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE", "post", "Get", "FOO", "M-SEARCH", "PROPFIND", "POST"];
        call.Method = methods[random.Next(methods.Length)];
        if (call.Method is "GET" or "HEAD" or "TRACE" && random.Next(2) == 0)
        {
            call.Body = [];
        }
        call.Kinds.Add("Method");
    }

    private void Body(Call call)
    {
        call.Body = Bytes(0, 4096);
        if (random.Next(2) == 0)
        {
            Sign(call, DateTimeOffset.UtcNow.ToUnixTimeSeconds()); // a correctly signed random body reaches the role check
        }
        call.Kinds.Add("Body");
    }

    private void HugeBody(Call call)
    {
        call.Body = Bytes(64 * 1024 + 1, 160 * 1024);
        Sign(call, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        if (random.Next(2) == 0)
        {
            call.ChunkedBody = Chunked(call.Body);
        }
        call.Kinds.Add("HugeBody");
    }

    private void Framing(Call call)
    {
        var json = Encoding.ASCII.GetString(call.Body.Length > 0 ? call.Body : "{}"u8.ToArray());
        string[] chunked =
        [
            $"zz\r\n{json}\r\n0\r\n\r\n",
            $"ffffffffffffffff\r\n{json}\r\n0\r\n\r\n",
            $"1ffffffffffffffff\r\n{json}\r\n0\r\n\r\n",
            $"-1\r\n{json}\r\n0\r\n\r\n",
            $"0x10\r\n{json}\r\n0\r\n\r\n",
            $"2\r\n{json}\r\n0\r\n\r\n",
            $"{json.Length:x};ext=\"unterminated\r\n{json}\r\n0\r\n\r\n",
            $"{json.Length:x}\r\n{json}0\r\n\r\n",
            $"{json.Length:x}\r\n{json}\r\nzz\r\n\r\n",
            $"\r\n{json}\r\n0\r\n\r\n",
        ];
        switch (random.Next(6))
        {
            case 0 or 1 or 2:
                call.ChunkedBody = Encoding.ASCII.GetBytes(chunked[random.Next(chunked.Length)]);
                break;
            case 3:
                call.ContentLength = new[] { "abc", "-1", "1.5", "99999999999999999999", " 2", "0x10", "2, 3" }[random.Next(7)];
                break;
            case 4:
                call.ExtraHeaderLines.Add("Content-Length: " + call.Body.Length);
                call.ExtraHeaderLines.Add("Content-Length: " + (call.Body.Length + 1));
                break;
            default:
                call.ChunkedBody = Chunked(call.Body);
                call.ExtraHeaderLines.Add(random.Next(2) == 0 ? "Content-Length: " + call.Body.Length : "Transfer-Encoding: gzip");
                break;
        }
        call.Kinds.Add("Framing");
    }

    private void SignatureHeaders(Call call)
    {
        string[] signatures =
        [
            "", "sha256=", "sha256=" + new string('g', 64), "SHA256=" + new string('a', 64), "sha256=" + new string('A', 63),
            "sha256=" + new string('a', 65), new string('x', 10_000), "sha256=" + Convert.ToHexString(Bytes(32, 33)),
            "sha256=" + Convert.ToHexStringLower(Bytes(32, 33)), "sha1=" + Convert.ToHexStringLower(Bytes(20, 21)),
            "sha256=" + Garbage(64, unicode: true),
        ];
        if (random.Next(5) == 0)
        {
            call.Headers.Remove(HmacRequestSignature.SignatureHeader);
        }
        else
        {
            call.Headers[HmacRequestSignature.SignatureHeader] = Utf8(signatures[random.Next(signatures.Length)]);
        }
        call.Kinds.Add("Signature");
    }

    private void Timestamp(Call call)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        string[] timestamps =
        [
            "999999999999", "-1", "0", "-999999999999", "9223372036854775807", "-9223372036854775808", "99999999999999999999",
            "1e10", " " + now, now + " ", "+" + now, now + ".0", "0x10", "١٧٠٠٠٠٠٠٠٠", "１７００００００００", new string('9', 5000), "",
            (now + (random.Next(2) == 0 ? -1 : 1) * (301 + random.NextInt64(0, 100_000_000_000))).ToString(),
        ];
        var timestamp = timestamps[random.Next(timestamps.Length)];
        call.Headers[HmacRequestSignature.TimestampHeader] = Utf8(timestamp);
        if (long.TryParse(timestamp, out var seconds) && random.Next(2) == 0)
        {
            // Correctly signed for that timestamp: only the clock can refuse it.
            call.Headers[HmacRequestSignature.SignatureHeader] = Ascii(HmacRequestSignature.Sign(OpsCall.Secret, seconds, call.Body));
        }
        call.Kinds.Add("Timestamp");
    }

    private void Principal(Call call)
    {
        string[] names =
        [
            "nul\0name", "line\r\nINJECTED log line", "cr\rFAKE-LOG-LINE", "\u2028separator\u2029", "esc\u001b[31mred", "tab\tand\u007f",
            "emoji 🚨", "rtl \u202Eevil", "\u0085next-line", new string('n', 5000), "", " ", "c1\u0090\u009b", "quote\"and\\backslash",
        ];
        string[] jsons =
        [
            "{", "[]", "42", "null", "\"text\"", """{"claims":{}}""", """{"claims":[1,2]}""", """{"claims":"x"}""",
            """{"claims":[{"typ":"roles"}]}""", """{"claims":[{"typ":1,"val":"ops_admin"}]}""", new string('[', 5000),
            """{"claims":[{"typ":"name","val":"lone \ud800 surrogate"},{"typ":"roles","val":"ops_admin"}],"name_typ":"name"}""",
            """{"claims":[{"typ":"name","val":"low \udc00 first"}],"name_typ":"name"}""",
            """{"claims":[{"typ":"name","val":"nul \u0000 escaped"},{"typ":"roles","val":"ops_admin"}],"name_typ":"name"}""",
            """{"claims":[{"typ":"name","val":"x"}],"name_typ":"name","role_typ":"name"}""",
        ];
        byte[] json;
        switch (random.Next(5))
        {
            case 0:
                var name = names[random.Next(names.Length)];
                var roles = random.Next(2) == 0 ? new[] { OpsCall.AdminRole } : new[] { "reader", name };
                json = Convert.FromBase64String(ClientPrincipal.Encode(name + " " + random.Next(1000), roles));
                break;
            case 1:
                json = Encoding.UTF8.GetBytes(jsons[random.Next(jsons.Length)]);
                break;
            case 2:
                // A JSON string holding bytes that are not UTF-8.
                var invalid = new byte[] { 0xC3, 0x28, 0xFF, 0xFE, 0xED, 0xA0, 0x80, 0xF4, 0x90, 0x80, 0x80, 0xC0, 0xAF }[random.Next(13)..];
                json = [.. """{"claims":[{"typ":"name","val":"a"""u8, .. invalid, .. "\"},{\"typ\":\"roles\",\"val\":\"ops_admin\"}],\"name_typ\":\"name\"}"u8];
                break;
            case 3:
                json = Bytes(1, 300);
                break;
            default:
                call.Headers[ClientPrincipal.Header] = random.Next(3) switch
                {
                    0 => Utf8(Garbage(300) + "!*"),
                    1 => [],
                    _ => Utf8("ü" + Garbage(100, unicode: true)),
                };
                call.Kinds.Add("Principal");
                return;
        }
        call.Headers[ClientPrincipal.Header] = Ascii(Convert.ToBase64String(json));
        call.Kinds.Add("Principal");
    }

    private void FunctionKey(Call call)
    {
        call.Headers.Remove(FunctionKeyHeader);
        string[] queries =
        [
            "", "code=" + Uri.EscapeDataString(functionKey), "code=wrong-key-0123456789abcdef", "code=", "code=" + functionKey.ToUpperInvariant(),
            "code=" + Uri.EscapeDataString(functionKey) + "&code=other", "code=%ZZ", "CODE=" + Uri.EscapeDataString(functionKey),
        ];
        call.Query = queries[random.Next(queries.Length)];
        if (random.Next(3) == 0)
        {
            call.Headers[FunctionKeyHeader] = Utf8(new[] { "", "wrong", functionKey + " ", "ü" + functionKey }[random.Next(4)]);
        }
        call.Kinds.Add("FunctionKey");
    }

    private void Query(Call call)
    {
        string[] noise =
        [
            "x=%ZZ", "a=" + Uri.EscapeDataString(Garbage(50, unicode: true)), "&&&=", "a=%00%0d%0aINJECTED", "=",
            "a=" + new string('q', 9000), "a[]=1&a[]=2", "%", "a=%C3%28",
        ];
        call.Query = (call.Query.Length > 0 ? call.Query + "&" : "") + noise[random.Next(noise.Length)];
        call.Kinds.Add("Query");
    }

    private void Path(Call call)
    {
        string[] paths =
        [
            call.Path + "/", call.Path.ToUpperInvariant(), "/" + call.Path, call.Path + "/extra", "/ops/escalation", "/ops", "/",
            "/api" + call.Path, "/ops/escalation/%2e%2e/tick", "/ops/escalation/tick%00", "/ops/escalation/tick%0d%0aINJECTED: 1",
            "/ops/escalation/" + Uri.EscapeDataString(Garbage(20, unicode: true)), "/ops/./escalation/../escalation/tick", "*",
            "http://127.0.0.1" + call.Path, "/ops/escalation/tick;param", "/ops/escalation/%E2%80%A8",
        ];
        call.Path = paths[random.Next(paths.Length)];
        call.Kinds.Add("Path");
    }

    private void HeaderBytes(Call call)
    {
        switch (random.Next(6))
        {
            case 0:
                call.Headers["X-Note"] = Enumerable.Range(0, random.Next(1, 200)).Select(_ => (byte)random.Next(0x80, 0x100)).ToArray();
                break;
            case 1:
                call.Headers["X-Control"] = [(byte)'a', (byte)random.Next(0x01, 0x20), (byte)'b'];
                break;
            case 2:
                call.Headers["X-Long"] = Ascii(new string('h', random.Next(8_000, 40_000)));
                break;
            case 3:
                for (var i = 0; i < random.Next(90, 130); i++)
                {
                    call.ExtraHeaderLines.Add($"X-Many-{i}: {i}");
                }
                break;
            case 4:
                call.Headers["X-Forwarded-For"] = Utf8(new[] { "1.2.3.4\u2028FAKE", "ü, 5.6.7.8", Garbage(300, unicode: true), "\u0085" }[random.Next(4)]);
                break;
            default:
                call.ExtraHeaderLines.Add(new[] { "Bad Header: x", ": empty-name", "X-No-Colon", "X-Ü: 1", "Expect: 100-continue" }[random.Next(5)]);
                break;
        }
        call.Kinds.Add("HeaderBytes");
    }

    private void ContentType(Call call)
    {
        string[] types =
        [
            "text/plain", "multipart/form-data; boundary=----x", "application/x-www-form-urlencoded", "garbage/;;;",
            "application/json; charset=utf-16", "application/octet-stream", "*/*", "application/xml", "",
        ];
        call.Headers["Content-Type"] = Ascii(types[random.Next(types.Length)]);
        call.Kinds.Add("ContentType");
    }

    // ---- helpers --------------------------------------------------------------------------------

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static bool IsHead(byte[] request) => request.AsSpan().StartsWith("HEAD "u8);

    private byte[] Bytes(int min, int max)
    {
        var bytes = new byte[random.Next(min, max)];
        random.NextBytes(bytes);
        return bytes;
    }

    private string Garbage(int max, bool unicode = false)
    {
        var chars = new char[random.Next(0, max)];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = unicode && random.Next(3) == 0 ? (char)random.Next(0xA0, 0x2FFF) : (char)random.Next(0x21, 0x7F);
        }
        return new string(chars);
    }

    private byte[] Chunked(byte[] body)
    {
        var framed = new MemoryStream();
        for (var offset = 0; offset < body.Length;)
        {
            var size = Math.Min(body.Length - offset, random.Next(1, 20_000));
            framed.Write(Encoding.ASCII.GetBytes($"{size:x}\r\n"));
            framed.Write(body, offset, size);
            framed.Write("\r\n"u8);
            offset += size;
        }
        framed.Write("0\r\n\r\n"u8);
        return framed.ToArray();
    }

    /// <summary>A request under construction.</summary>
    private sealed class Call
    {
        public List<string> Kinds { get; } = [];
        public string Method { get; set; } = "POST";
        public string Path { get; set; } = "/";
        public string Query { get; set; } = "";
        public Dictionary<string, byte[]> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);
        public List<string> ExtraHeaderLines { get; } = [];
        public byte[] Body { get; set; } = [];
        public byte[]? ChunkedBody { get; set; }
        public string? ContentLength { get; set; }

        public byte[] Bytes()
        {
            var request = new MemoryStream();
            var target = Query.Length > 0 ? Path + "?" + Query : Path;
            request.Write(Encoding.UTF8.GetBytes($"{Method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"));
            foreach (var (name, value) in Headers)
            {
                request.Write(Encoding.ASCII.GetBytes(name + ": "));
                request.Write(value);
                request.Write("\r\n"u8);
            }
            foreach (var line in ExtraHeaderLines)
            {
                request.Write(Encoding.UTF8.GetBytes(line + "\r\n"));
            }
            if (ChunkedBody is not null)
            {
                request.Write("Transfer-Encoding: chunked\r\n\r\n"u8);
                request.Write(ChunkedBody);
            }
            else
            {
                request.Write(Encoding.ASCII.GetBytes($"Content-Length: {ContentLength ?? Body.Length.ToString()}\r\n\r\n"));
                request.Write(Body);
            }
            return request.ToArray();
        }

        public string Summary()
        {
            var target = Query.Length > 0 ? Path + "?" + Query : Path;
            return $"{Method} {(target.Length > 120 ? target[..120] + "…" : target)} body {ChunkedBody?.Length ?? Body.Length} bytes" +
                   (ChunkedBody is null ? "" : " chunked") + (ContentLength is null ? "" : $" Content-Length '{ContentLength}'");
        }
    }
}
