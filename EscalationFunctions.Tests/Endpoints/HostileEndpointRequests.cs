using System.Net;
using System.Text;
using System.Text.Json;
using EscalationFunctions.Engine.Security;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Support;

namespace EscalationFunctions.Tests.Endpoints;

/// <summary>
/// One request of <see cref="EndpointFuzzTests"/> as the bytes sent, and what the contract (reference §6.1,
/// §6.2, §9) allows as its answer: <see cref="Allowed"/> statuses, and <see cref="Error"/>, the error
/// code of a 4xx from the app when the contract names one. <see cref="Target"/> is the incident a 200
/// to this request stands for (acknowledged now, or before), by <see cref="Caller"/> (the principal's
/// name, or <c>slack:U…</c>); null when no answer to it may acknowledge anything.
/// <see cref="ReachesApp"/>: true when the app must answer (and audit) it, false when the host must
/// refuse it first (the function key), null when Kestrel itself may refuse it (a request line over
/// its 8 KiB limit, a NUL in the path).
/// </summary>
public sealed record EndpointCall(
    string Kind,
    string Summary,
    byte[] Bytes,
    string Endpoint,
    int[] Allowed,
    string? Error,
    string? Target,
    string? Caller,
    bool? ReachesApp,
    bool IsAck)
{
    /// <summary>The seeded incident the request was made for, valid or not: who to suspect when it is acknowledged unexpectedly.</summary>
    public string? Names { get; init; }
}

/// <summary>
/// Seeded generator of hostile requests to <c>POST /slack/interactions</c> and both forms of
/// acknowledge. Most start from a valid call (a signed click, an admin's signed ack) and are broken in
/// one way whose expected answer the contract states; a few are broken in ways it leaves open, and
/// then they may be refused or answered 200, but never acknowledge anything but their own incident.
/// Requests are raw HTTP/1.1 bytes, signed when generated, so each is sent within seconds of its timestamp.
/// </summary>
public sealed class HostileEndpointRequests
{
    public const string SlackEndpoint = "slack_interactions";
    public const string AckEndpoint = "ack";

    private static readonly string[] Users = ["U024BE7LH", "W0FUZZ42", "U0AAAAAAA"];

    private readonly Random _random;
    private readonly string _functionKey;
    private readonly Uri _responseUrl;
    private readonly string[] _seeded;
    private readonly Dictionary<int, Func<EndpointCall>> _scheduled = [];
    private readonly HashSet<string> _opsSignatures = [];
    private readonly List<EndpointCall> _accepted = [];
    private int _index;

    /// <param name="seeded">The incidents valid calls may name; each of <see cref="HostileKeys.Special"/> among them.</param>
    /// <param name="requests">How many requests the run sends: the calls every run must make are spread over them.</param>
    public HostileEndpointRequests(Random random, string functionKey, Uri responseUrl, IReadOnlyList<string> seeded, int requests)
    {
        _random = random;
        _functionKey = functionKey;
        _responseUrl = responseUrl;
        _seeded = [.. seeded];
        // Whatever the seed: '.', '..' and the 4-byte keys acknowledged through each form that can carry
        // them, and the decoys' invalid segments sent.
        Func<EndpointCall>[] always =
        [
            () => AckByBody(HostileKeys.Dot), () => AckByBody(HostileKeys.DotDot), () => AckByBody(HostileKeys.FourByteLong),
            () => AckByBody(HostileKeys.FourByteShort), () => AckByPath(HostileKeys.Dot), () => AckByPath(HostileKeys.DotDot),
            () => AckByPath(HostileKeys.FourByteShort), () => ValidClick(HostileKeys.Dot), () => ValidClick(HostileKeys.DotDot),
            () => ValidClick(HostileKeys.FourByteLong), () => InvalidSegment("%FF"), () => InvalidSegment("%C3%28"),
        ];
        foreach (var call in always)
        {
            int at;
            do
            {
                at = random.Next(requests);
            }
            while (!_scheduled.TryAdd(at, call));
        }
    }

    /// <summary>Tells the generator how a call was answered: accepted acks are replayed later.</summary>
    public void Answered(EndpointCall call, int status)
    {
        if (call.IsAck && status == 200 && _accepted.Count < 100)
        {
            _accepted.Add(call);
        }
    }

    public EndpointCall Next()
    {
        var index = _index++;
        if (_scheduled.Remove(index, out var scheduled))
        {
            return scheduled();
        }
        if (_accepted.Count > 0 && _random.Next(40) == 0)
        {
            var replayed = _accepted[_random.Next(_accepted.Count)];
            // Signatures are accepted once (reference §6): the very same bytes again are refused.
            return replayed with { Kind = "Replay", Summary = "replay of: " + replayed.Summary, Allowed = [401], Error = null, Target = null };
        }
        var roll = _random.Next(100);
        var call = roll < 50 ? Click() : roll < 75 ? AckPathCall() : AckBodyCall();
        return _random.Next(25) == 0 ? WithoutFunctionKey(call) : call;
    }

    // ---- Slack clicks ---------------------------------------------------------------------------

    private EndpointCall Click()
    {
        var key = Pick(ValidTargets(), 0.9);
        var roll = _random.Next(100);
        var call = roll switch
        {
            < 15 => ValidClick(key),
            < 35 => OddMessageClick(key),
            < 65 => BrokenNeededFieldClick(key),
            < 75 => OpenFieldClick(key),
            < 90 => FormClick(key),
            _ => BadSignatureClick(key),
        };
        return call with { Names = key };
    }

    private EndpointCall ValidClick(string key)
    {
        var user = Users[_random.Next(Users.Length)];
        var payload = new ClickPayload(key, _responseUrl, user);
        if (_random.Next(2) == 0)
        {
            payload.Message = Message("\"Escalated to level 1\"", Section(AckButton(payload.Value)));
        }
        return ClickCall("Click", $"valid click on {HostileKeys.Show(key)}", SlackClick.FormBody(payload.Text()), [200], key, user);
    }

    /// <summary>Oddities in the clicked message, which the route does not need: the click still acknowledges (reference §9).</summary>
    private EndpointCall OddMessageClick(string key)
    {
        var user = Users[_random.Next(Users.Length)];
        var payload = new ClickPayload(key, _responseUrl, user);
        var k = payload.Value;
        var button = AckButton(k);
        var section = Section(button);
        var nesting = new[] { 65, 100, 500 }[_random.Next(3)];
        (string What, string Message)[] messages =
        [
            ("a block whose type is a number", Message("\"x\"", section + ",{\"type\":5}")),
            ("the Ack button in a block whose type is a number", Message("\"x\"", $$"""{"type":5,"accessory":{{button}}}""")),
            ("a repeated text", $$"""{"text":"a","text":"b","blocks":[{{section}}]}"""),
            ("a repeated blocks", $$"""{"text":"a","blocks":[{{section}}],"blocks":[]}"""),
            ("a block with a repeated type", Message("\"x\"", $$"""{"type":"section","type":"section","text":{"type":"mrkdwn","text":"x"},"accessory":{{button}}}""")),
            ("an Ack button with repeated properties", Message("\"x\"", Section($$"""{"type":"button","type":"button","action_id":"ack","action_id":"ack","value":{{k}},"value":{{k}}}"""))),
            ("an accessory that is an array", Message("\"x\"", Section("[]") + "," + section)),
            ("an accessory that is a number", Message("\"x\"", Section("42") + "," + section)),
            ("an accessory that is an empty object", Message("\"x\"", Section("{}"))),
            ("an accessory whose type is an object", Message("\"x\"", Section("""{"type":{"nested":true},"action_id":"ack"}"""))),
            ("an Ack button whose value is an object", Message("\"x\"", Section($$$"""{"type":"button","action_id":"ack","value":{"key":{{{k}}}}}"""))),
            ("an Ack button whose action_id is a number", Message("\"x\"", Section($$"""{"type":"button","action_id":5,"value":{{k}}}"""))),
            ("text that is a number", Message("42", section)),
            ("text that is an object", Message("""{"text":"x"}""", section)),
            ("text that is null", Message("null", section)),
            ("a block text that is a number", Message("\"x\"", $$"""{"type":"section","text":42,"accessory":{{button}}}""")),
            ("a block text whose text is an array", Message("\"x\"", $$"""{"type":"section","text":{"type":"mrkdwn","text":[1]},"accessory":{{button}}}""")),
            ($"nesting {nesting} deep", $$"""{"text":"x","blocks":[{{section}}],"deep":{{new string('[', nesting)}}{{new string(']', nesting)}}}"""),
            ($"objects nested {nesting} deep", $$"""{"text":"x","blocks":[{{section}}],"deep":{{string.Concat(Enumerable.Repeat("{\"a\":", nesting))}}1{{new string('}', nesting)}}}"""),
            ("3,000 blocks", Message("\"x\"", section + string.Concat(Enumerable.Repeat(",{\"type\":\"divider\"}", 3000)))),
            ("an array of 50,000 numbers", $$"""{"text":"x","blocks":[{{section}}],"big":[{{string.Join(',', Enumerable.Repeat(0, 50_000))}}]}"""),
            ("a text of 100,000 characters", Message($"\"{new string('x', 100_000)}\"", section)),
            ("a lone high surrogate in the text", Message("\"\\ud800\"", section)),
            ("a lone low surrogate in a block's text", Message("\"x\"", $$"""{"type":"section","text":{"type":"mrkdwn","text":"\udc00 x"},"accessory":{{button}}}""")),
            ("reversed surrogates in the text", Message("\"a\\udc00\\ud800b\"", section)),
            ("a lone surrogate in another button's value", Message("\"x\"", section + ",{\"type\":\"section\",\"text\":{\"type\":\"mrkdwn\",\"text\":\"y\"},\"accessory\":{\"type\":\"button\",\"action_id\":\"ack\",\"value\":\"\\ud800\"}}")),
            ("NUL, ESC, CR LF and U+2028 in the text", Message("\"\\u0000\\u001b[31m\\r\\nINJECTED \\u2028FAKE\"", section)),
            ("a message that is a number", "42"),
            ("a message that is an array", "[]"),
            ("a message that is a string", "\"x\""),
            ("a message that is null", "null"),
            ("a message that is a lone surrogate", "\"\\udbff\""),
            ("blocks that are an object", """{"text":"x","blocks":{}}"""),
            ("blocks that are a number", """{"text":"x","blocks":42}"""),
            ("blocks of numbers, nulls, strings and arrays", Message("\"x\"", "42,null,\"x\",[]," + section)),
            ("actions elements of odd types", Message("\"x\"", $$"""{"type":"actions","elements":[42,null,{"type":5},{{button}}]}""")),
            ("actions elements that are an object", Message("\"x\"", """{"type":"actions","elements":{}}""")),
        ];
        var (what, message) = messages[_random.Next(messages.Length)];
        payload.Message = message;
        return ClickCall("OddMessage", $"click on {HostileKeys.Show(key)} whose message has {what}", SlackClick.FormBody(payload.Text()), [200], key, user);
    }

    /// <summary>Something wrong in a field the route needs: 400 and nothing acknowledged (reference §9).</summary>
    private EndpointCall BrokenNeededFieldClick(string key)
    {
        var payload = new ClickPayload(key, _responseUrl, Users[_random.Next(Users.Length)]);
        var k = payload.Value;
        var url = payload.ResponseUrl;
        string what;
        switch (_random.Next(8))
        {
            case 0:
                (what, payload.Type) = Pick<(string, string)>(
                    ("a lone high surrogate", "\"\\ud800\""), ("a lone low surrogate", "\"\\udfff\""), ("a surrogate inside", "\"block_\\ud800actions\""),
                    ("a number", "42"), ("null", "null"), ("an object", "{}"), ("an array", "[\"block_actions\"]"), ("true", "true"),
                    ("another type", "\"view_submission\""), ("the empty string", "\"\""), ("upper case", "\"BLOCK_ACTIONS\""),
                    ("repeated", "\"block_actions\",\"type\":\"block_actions\""), ("repeated, differently", "\"block_actions\",\"type\":\"view_submission\""),
                    ("repeated, the other way", "\"view_submission\",\"type\":\"block_actions\""), ("missing", ClickPayload.Omitted));
                what = "type " + what;
                break;
            case 1:
                (what, payload.UserId) = Pick<(string, string)>(
                    ("a lone surrogate", "\"\\ud800\""), ("an ID with a lone surrogate", "\"U024BE7LH\\udc00\""), ("a number", "42"), ("null", "null"),
                    ("an object", "{}"), ("an array", "[\"U024BE7LH\"]"), ("repeated", "\"U024BE7LH\",\"id\":\"U024BE7LH\""),
                    ("repeated, differently", "\"W0EVIL\",\"id\":\"U024BE7LH\""), ("lower case", "\"u024be7lh\""), ("NUL inside", "\"U\\u0000X\""),
                    ("CR LF inside", "\"U024BE7LH\\r\\nINJECTED\""), ("U+2028 inside", "\"U024BE7LH\\u2028\""),
                    ("5,000 characters", $"\"U{new string('A', 5000)}\""), ("the empty string", "\"\""), ("missing", ClickPayload.Omitted));
                what = "user.id " + what;
                break;
            case 2:
                (what, payload.User) = Pick<(string, string?)>(
                    ("null", "null"), ("a string", "\"U024BE7LH\""), ("an array", "[]"), ("a number", "42"),
                    ("repeated", "{\"id\":\"U024BE7LH\"},\"user\":{\"id\":\"W0EVIL\"}"), ("missing", ClickPayload.Omitted));
                what = "user " + what;
                break;
            case 3:
                (what, payload.ActionId) = Pick<(string, string)>(
                    ("a lone surrogate", "\"\\ud800\""), ("a surrogate inside", "\"ac\\udc00k\""), ("a number", "42"), ("null", "null"),
                    ("an object", "{}"), ("an array", "[\"ack\"]"), ("repeated", "\"ack\",\"action_id\":\"ack\""),
                    ("repeated, differently", "\"ack\",\"action_id\":\"open_incident\""), ("repeated, the other way", "\"open_incident\",\"action_id\":\"ack\""),
                    ("missing", ClickPayload.Omitted));
                what = "actions[0].action_id " + what;
                break;
            case 4:
                (what, payload.Value) = Pick<(string, string)>(
                    ("a lone surrogate", "\"\\ud800\""), ("a key with a lone surrogate", "\"EP-1\\udc00\""), ("reversed surrogates", "\"\\udc00\\ud800\""),
                    ("a number", "42"), ("null", "null"), ("an object", $"{{\"key\":{k}}}"), ("an array", $"[{k}]"), ("true", "true"),
                    ("repeated", $"{k},\"value\":{k}"), ("repeated, differently", $"{k},\"value\":\"EP-1\""), ("repeated, the other way", $"\"EP-1\",\"value\":{k}"),
                    ("missing", ClickPayload.Omitted));
                what = "actions[0].value " + what;
                break;
            case 5:
                (what, payload.ResponseUrl) = Pick<(string, string)>(
                    ("a lone surrogate", "\"\\ud800\""), ("a URL with a lone surrogate", url[..^1] + "\\udc00\""), ("a number", "42"), ("null", "null"),
                    ("an object", "{}"), ("an array", $"[{url}]"), ("repeated", $"{url},\"response_url\":{url}"),
                    ("repeated, differently", $"{url},\"response_url\":\"https://evil.example/steal\""), ("missing", ClickPayload.Omitted));
                what = "response_url " + what;
                break;
            case 6:
                (what, payload.Actions) = Pick<(string, string?)>(
                    ("empty", "[]"), ("an object", $"{{\"action_id\":\"ack\",\"value\":{k}}}"), ("null", "null"), ("[42]", "[42]"), ("[[]]", "[[]]"),
                    ("a string", "\"ack\""), ("[null]", "[null]"), ("repeated", $"[{{\"action_id\":\"ack\",\"value\":{k}}}],\"actions\":[{{\"action_id\":\"ack\",\"value\":{k}}}]"),
                    ("missing", ClickPayload.Omitted));
                what = "actions " + what;
                break;
            default:
                var valid = payload.Text();
                (what, var whole) = Pick<(string, string)>(
                    ("an array", "[]"), ("a string", "\"block_actions\""), ("a number", "42"), ("null", "null"),
                    ("cut short", valid[..(valid.Length * _random.Next(1, 99) / 100)]), ("followed by text", valid + " x"),
                    ("twice", valid + valid), ("in single quotes", valid.Replace('"', '\'')), ("with a trailing comma", valid[..^1] + ",}"),
                    ("with a comment", "/* c */" + valid), ("with an invalid escape", valid[..^1] + ",\"x\":\"\\x\"}"));
                return ClickCall("BrokenField", $"click on {HostileKeys.Show(key)}: payload {what}", SlackClick.FormBody(whole), [400], null, null);
        }
        return ClickCall("BrokenField", $"click on {HostileKeys.Show(key)}: {what}", SlackClick.FormBody(payload.Text()), [400], null, null);
    }

    /// <summary>Odd values the contract leaves open: refused, or answered 200 and then acknowledging only their own incident.</summary>
    private EndpointCall OpenFieldClick(string key)
    {
        var user = Users[_random.Next(Users.Length)];
        var payload = new ClickPayload(key, _responseUrl, user);
        string what;
        string? target = key;
        switch (_random.Next(4))
        {
            case 0:
                // Any other action_id is another button: 200, nothing acknowledged.
                (what, payload.ActionId) = Pick<(string, string)>(
                    ("open_incident", "\"open_incident\""), ("ACK", "\"ACK\""), ("ack and a space", "\"ack \""), ("ack and NUL", "\"ack\\u0000\""),
                    ("ack, CR LF and text", "\"ack\\r\\nINJECTED\""), ("U+2028", "\"\\u2028\""), ("5,000 characters", $"\"{new string('a', 5000)}\""),
                    ("the empty string", "\"\""));
                what = "action_id " + what;
                target = null;
                break;
            case 1:
                // No incident has such a key: at most an "unknown incident" answer.
                (what, payload.Value) = Pick<(string, string)>(
                    ("NUL inside", "\"EP-1\\u0000\""), ("an ESC sequence", "\"\\u001b[31mEP-1\""), ("CR LF and text", "\"EP-1\\r\\nINJECTED\""),
                    ("the empty string", "\"\""), ("a space", "\" \""), ("5,000 characters", $"\"{new string('k', 5000)}\""),
                    ("U+2028", "\"EP-1\\u2028\""), ("1,001 four-byte characters", HostileKeys.Json(HostileKeys.FourByteLong + "\U0001F600")));
                what = "value " + what;
                target = null;
                break;
            case 2:
                // Not a URL the worker may post to: no answer posted, but the click is the user's.
                (what, payload.ResponseUrl) = Pick<(string, string)>(
                    ("not a URL", "\"not a url\""), ("another host", "\"https://evil.example/x\""), ("CR LF and text", payload.ResponseUrl[..^1] + "\\r\\nINJECTED\""),
                    ("javascript:", "\"javascript:alert(1)\""), ("5,000 characters long", $"\"http://127.0.0.1:1/{new string('x', 5000)}\""),
                    ("the empty string", "\"\""), ("ftp:", "\"ftp://127.0.0.1/x\""), ("NUL inside", payload.ResponseUrl[..^1] + "\\u0000\""));
                what = "response_url " + what;
                break;
            default:
                // Top-level fields the route does not need.
                (what, payload.Prefix) = Pick<(string, string)>(
                    ("a lone surrogate in a field it does not need", "\"channel\":{\"name\":\"\\ud800\"},"),
                    ("a repeated field it does not need", "\"token\":\"a\",\"token\":\"b\","),
                    ("container repeated, first as a number", "\"container\":42,"), ("a lone surrogate as a property name", "\"\\ud800\":1,"),
                    ("a team that is null", "\"team\":null,"));
                break;
        }
        return ClickCall("OpenField", $"click on {HostileKeys.Show(key)}: {what}", SlackClick.FormBody(payload.Text()), [200, 400], target, user);
    }

    /// <summary>The form around the payload: other bodies, repeated fields, invalid UTF-8, percent-encoding.</summary>
    private EndpointCall FormClick(string key)
    {
        var user = Users[_random.Next(Users.Length)];
        var payload = new ClickPayload(key, _responseUrl, user);
        var text = payload.Text();
        var form = SlackClick.FormBody(text);
        var other = SlackClick.FormBody(new ClickPayload(OtherThan(key), _responseUrl, user).Text());
        switch (_random.Next(14))
        {
            case 0:
                var (what, body) = Pick<(string, byte[])>(
                    ("the JSON without 'payload='", Encoding.UTF8.GetBytes(text)), ("random bytes", Bytes(1, 3000)), ("nothing", []),
                    ("token=abc", "token=abc"u8.ToArray()), ("payload=", "payload="u8.ToArray()), ("payload", "payload"u8.ToArray()),
                    ("the payload percent-encoded twice", Encoding.ASCII.GetBytes("payload=" + Uri.EscapeDataString(Uri.EscapeDataString(text)))),
                    ("a JSON object holding the payload", Encoding.UTF8.GetBytes($"{{\"payload\":{text}}}")), ("payload=%7B", "payload=%7B"u8.ToArray()));
                return ClickCall("NotAForm", $"click body: {what}", body, [400], null, null);
            case 1:
                // Two payloads: which one is the click? Refused.
                var second = _random.Next(2) == 0 ? form : other;
                return ClickCall("TwoPayloads", $"click on {HostileKeys.Show(key)} with two payload fields ({(second == form ? "the same" : "another key")})",
                    [.. form, .. "&"u8, .. second], [400], null, null);
            case 2:
                // Not UTF-8 in another field, or in the message's text: open.
                var invalid = InvalidUtf8();
                byte[] withInvalid = _random.Next(2) == 0
                    ? [.. "token="u8, .. invalid, .. "&"u8, .. form]
                    : Splice(SlackClick.FormBody(WithMessageText(payload, "FUZZ-RAW")), "FUZZ-RAW", invalid);
                return ClickCall("InvalidUtf8", $"click on {HostileKeys.Show(key)} with raw bytes {Convert.ToHexString(invalid)} in the form",
                    withInvalid, [200, 400], key, user);
            case 3:
                // Percent-encoded bytes that are not UTF-8 as the key: no incident has it, least of all the decoy a lenient decoder makes of it (U+FFFD).
                var escapes = Pick("%FF", "%C3%28", "%E2%82", "%C0%AE", "%ED%A0%80", "%FF%FE");
                payload.Value = "\"FUZZ-PCT\"";
                return ClickCall("InvalidUtf8", $"click whose key is the percent-encoded non-UTF-8 {escapes}",
                    Splice(SlackClick.FormBody(payload.Text()), "FUZZ-PCT", Encoding.ASCII.GetBytes(escapes)), [200, 400], null, user);
            case 4:
                var inText = Pick("%FF", "%C3%28", "%E2%82", "%ZZ", "%", "%u0041");
                return ClickCall("PercentOdd", $"click on {HostileKeys.Show(key)} with {inText} in the message's text",
                    Splice(SlackClick.FormBody(WithMessageText(payload, "FUZZ-PCT")), "FUZZ-PCT", Encoding.ASCII.GetBytes(inText)), [200, 400], key, user);
            case 5:
                return ClickCall("PercentOdd", $"click on {HostileKeys.Show(key)} with every byte percent-encoded",
                    Encoding.ASCII.GetBytes("payload=" + string.Concat(Encoding.UTF8.GetBytes(text).Select(b => $"%{b:X2}"))), [200], key, user);
            case 6:
                return ClickCall("PercentOdd", $"click on {HostileKeys.Show(key)} percent-encoded in lower case",
                    Encoding.ASCII.GetBytes(LowerCaseEscapes("payload=" + Uri.EscapeDataString(text))), [200], key, user);
            case 7:
                // Indented JSON, its spaces sent as '+'.
                using (var document = JsonDocument.Parse(text))
                {
                    var indented = JsonSerializer.Serialize(document.RootElement, new JsonSerializerOptions { WriteIndented = true });
                    return ClickCall("PercentOdd", $"click on {HostileKeys.Show(key)} with spaces as '+'",
                        Encoding.ASCII.GetBytes("payload=" + WebUtility.UrlEncode(indented)), [200], key, user);
                }
            case 8:
                return ClickCall("PercentOdd", $"click on {HostileKeys.Show(key)} among other fields",
                    [.. "token=gIkuvaNzQIHg97ATvDxqgjtO&team_id=T0CAG&"u8, .. form, .. "&trigger=1"u8], [200], key, user);
            case 9:
                return ClickCall("PercentOdd", $"click on {HostileKeys.Show(key)} with empty fields around",
                    [.. "&&"u8, .. form, .. "&&="u8], [200, 400], key, user);
            case 10 when !text.Any(c => c is '+' or '&' or '%' or '#' or ' ' || c > 0x7E):
                return ClickCall("PercentOdd", $"click on {HostileKeys.Show(key)} not percent-encoded at all",
                    Encoding.ASCII.GetBytes("payload=" + text), [200, 400], key, user);
            case 11:
                return ClickCall("LargeClick", $"click on {HostileKeys.Show(key)} of more than 1 MiB", [.. form, .. "&pad="u8, .. Encoding.ASCII.GetBytes(new string('p', 1024 * 1024))],
                    [400, 413], null, null);
            default:
                return ValidClick(key);
        }
    }

    private EndpointCall BadSignatureClick(string key)
    {
        var body = SlackClick.FormBody(new ClickPayload(key, _responseUrl).Text());
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var headers = EndpointCalls.SlackSignature(body);
        string what;
        switch (_random.Next(9))
        {
            case 0:
                headers = EndpointCalls.SlackSignature(body, secret: "ffffffffffffffffffffffffffffffff");
                what = "signed with another secret";
                break;
            case 1:
                headers = EndpointCalls.SlackSignature(body, now - 400);
                what = "signed 400 s ago";
                break;
            case 2:
                headers = EndpointCalls.SlackSignature(body, now + 400);
                what = "signed 400 s ahead";
                break;
            case 3:
                headers.RemoveAll(h => h.Name == SlackRequestSignature.SignatureHeader);
                what = "without a signature";
                break;
            case 4:
                headers.RemoveAll(h => h.Name == SlackRequestSignature.TimestampHeader);
                what = "without a timestamp";
                break;
            case 5:
                headers = EndpointCalls.SlackSignature(SlackClick.FormBody(new ClickPayload(OtherThan(key), _responseUrl).Text()));
                what = "with the signature of another click";
                break;
            case 6:
                headers = Replace(headers, SlackRequestSignature.SignatureHeader, "v0=" + new string('0', 64));
                what = "with a signature of zeros";
                break;
            case 7:
                headers = Replace(headers, SlackRequestSignature.SignatureHeader, "v1=" + SlackRequestSignature.Sign(SlackClick.Secret, now, body)[3..]);
                what = "with a v1 signature";
                break;
            default:
                headers = Replace(headers, SlackRequestSignature.TimestampHeader, "abc");
                what = "with a timestamp that is not a number";
                break;
        }
        return Call("BadSignature", $"click on {HostileKeys.Show(key)} {what}", "POST", EndpointCalls.Interactions, headers, body,
            SlackEndpoint, [401], null, null, null, isAck: false);
    }

    private EndpointCall ClickCall(string kind, string summary, byte[] body, int[] allowed, string? target, string? user) =>
        Call(kind, summary, "POST", EndpointCalls.Interactions, EndpointCalls.SlackSignature(body), body, SlackEndpoint, allowed, null,
            allowed.Contains(200) ? target : null, user is null ? null : "slack:" + user, isAck: false);

    // ---- acknowledge, path form ---------------------------------------------------------------------

    private EndpointCall AckPathCall()
    {
        var roll = _random.Next(100);
        if (roll < 35)
        {
            return AckByPath(Pick(ValidTargets(longKey: false), 0.85));
        }
        if (roll < 55)
        {
            return InvalidSegment(Pick("%FF", "%C3%28", "%E2%82", "%G1", "%C0%AE", "%ED%A0%80", "%F4%90%80%80", "%FF%FE", "EP-1%FF", "%E2%82%AC%E2%82",
                "%", "%4", "EP-1%", "%C3", "%2E%FF"));
        }
        if (roll < 85)
        {
            var (what, segment, allowed, error, target) = Pick<(string, string, int[], string?, string?)>(
                // No incident can have a NUL in its key (404); Kestrel refuses a decoded NUL in the path itself (a bare 400).
                ("NUL", "%00", [400, 404], null, null),
                ("NUL inside", "EP-1%00", [400, 404], null, null),
                ("'%2E' encoded again", "%252E", [404], "incident_not_found", null),
                ("a lone '/'", "%2F", [404], "incident_not_found", null),
                ("'.' in lower case hex", "%2e", [200], null, HostileKeys.Dot),
                ("'..' in mixed case hex", "%2e%2E", [200], null, HostileKeys.DotDot),
                ("1,001 characters", new string('k', 1001), [400, 404], null, null),
                ("5,000 characters", new string('k', 5000), [400, 404], null, null),
                ("1,000 four-byte characters (12,000 bytes)", HostileKeys.Segment(HostileKeys.FourByteLong), [200, 414], null, HostileKeys.FourByteLong),
                ("9,000 characters", new string('k', 9000), [400, 404, 414], null, null));
            var call = Ack("AckPathOdd", $"ack, path form, segment {what}", EndpointCalls.AckByPath(segment), EndpointCalls.RequestIdBody(), allowed, error, target);
            return segment.Length > 7000 || segment.Contains("%00") ? call with { ReachesApp = null } : call;
        }
        return LockBroken(path: true);
    }

    private EndpointCall AckByPath(string key)
    {
        var seeded = _seeded.Contains(key);
        return Ack("AckPath", $"ack, path form, of {HostileKeys.Show(key)}", EndpointCalls.AckByPath(HostileKeys.Segment(key)), EndpointCalls.RequestIdBody(),
            seeded ? [200] : [404], seeded ? null : "incident_not_found", seeded ? key : null);
    }

    /// <summary>A segment that is not percent-encoded UTF-8: 400 <c>invalid_incident_key</c>, whatever incident its text or a lenient decoding names.</summary>
    private EndpointCall InvalidSegment(string segment) =>
        Ack("AckPathInvalid", $"ack, path form, segment {segment}", EndpointCalls.AckByPath(segment), EndpointCalls.RequestIdBody(), [400], "invalid_incident_key", null);

    // ---- acknowledge, body form ---------------------------------------------------------------------

    private EndpointCall AckBodyCall()
    {
        var roll = _random.Next(100);
        if (roll < 30)
        {
            return AckByBody(Pick(ValidTargets(), 0.85));
        }
        if (roll < 85)
        {
            var key = Pick(ValidTargets(), 1);
            var k = HostileKeys.Json(key);
            var id = $"\"requestId\":\"{Guid.NewGuid()}\"";
            var (what, body, allowed, error, target) = Pick<(string, string, int[], string?, string?)>(
                ("an array", "[]", [400], "invalid_json", null),
                ("a string", $"{k}", [400], "invalid_json", null),
                ("a number", "42", [400], "invalid_json", null),
                ("null", "null", [400], "invalid_json", null),
                ("nothing", "", [400], "invalid_json", null),
                ("only spaces", "  \n ", [400], "invalid_json", null),
                ("an unclosed object", "{", [400], "invalid_json", null),
                ("a missing value", "{\"incidentKey\":}", [400], "invalid_json", null),
                ("text after the object", $"{{\"incidentKey\":{k},{id}}} x", [400], "invalid_json", null),
                ("two objects", $"{{\"incidentKey\":{k},{id}}}{{}}", [400], "invalid_json", null),
                ("single quotes", $"{{'incidentKey':'EP-1',{id}}}", [400], "invalid_json", null),
                ("a trailing comma", $"{{\"incidentKey\":{k},{id},}}", [400], "invalid_json", null),
                ("a comment", $"{{\"incidentKey\":{k},{id}/* c */}}", [400], "invalid_json", null),
                ("an unquoted name", $"{{incidentKey:{k},{id}}}", [400], "invalid_json", null),
                ("cut short", $"{{\"incidentKey\":{k},{id}", [400], "invalid_json", null),
                ("an invalid escape", $"{{\"incidentKey\":\"EP-\\x1\",{id}}}", [400], "invalid_json", null),
                ("a raw control character in the key", $"{{\"incidentKey\":\"EP\u0001-1\",{id}}}", [400], "invalid_json", null),
                ("a lone high surrogate as the key", $"{{\"incidentKey\":\"\\ud800\",{id}}}", [400], "invalid_json", null),
                ("a key ending in a lone low surrogate", $"{{\"incidentKey\":\"EP-1\\udc00\",{id}}}", [400], "invalid_json", null),
                ("reversed surrogates in the key", $"{{\"incidentKey\":\"\\udc00\\ud800\",{id}}}", [400], "invalid_json", null),
                ("a repeated incidentKey", $"{{\"incidentKey\":{k},\"incidentKey\":{k},{id}}}", [400], "invalid_json", null),
                ("a repeated incidentKey, differently", $"{{\"incidentKey\":{k},\"incidentKey\":\"EP-1\",{id}}}", [400], "invalid_json", null),
                ("a repeated incidentKey naming a decoy", $"{{\"incidentKey\":\".\",\"incidentKey\":\"%FF\",{id}}}", [400], "invalid_json", null),
                ("no incidentKey", $"{{{id}}}", [400], "invalid_incident_key", null),
                ("incident_key instead", $"{{\"incident_key\":{k},{id}}}", [400], "invalid_incident_key", null),
                ("a null key", $"{{\"incidentKey\":null,{id}}}", [400], "invalid_incident_key", null),
                ("a number key", $"{{\"incidentKey\":42,{id}}}", [400], "invalid_incident_key", null),
                ("an array key", $"{{\"incidentKey\":[{k}],{id}}}", [400], "invalid_incident_key", null),
                ("an object key", $"{{\"incidentKey\":{{\"key\":{k}}},{id}}}", [400], "invalid_incident_key", null),
                ("a true key", $"{{\"incidentKey\":true,{id}}}", [400], "invalid_incident_key", null),
                ("an empty key", $"{{\"incidentKey\":\"\",{id}}}", [400], "invalid_incident_key", null),
                ("NUL in the key", $"{{\"incidentKey\":\"EP-1\\u0000\",{id}}}", [404], "incident_not_found", null),
                ("a key of NUL", $"{{\"incidentKey\":\"\\u0000\",{id}}}", [404], "incident_not_found", null),
                ("the text '%2E'", $"{{\"incidentKey\":\"%2E\",{id}}}", [404], "incident_not_found", null),
                ("a key of 1,001 characters", $"{{\"incidentKey\":\"{new string('k', 1001)}\",{id}}}", [400, 404], null, null),
                ("a key of 1,001 four-byte characters", $"{{\"incidentKey\":{HostileKeys.Json(HostileKeys.FourByteLong + "\U0001F600")},{id}}}", [400, 404], null, null),
                ("'.' as an escape", $"{{\"incidentKey\":\"\\u002e\",{id}}}", [200], null, HostileKeys.Dot),
                ("'..' as escapes", $"{{\"incidentKey\":\"\\u002E\\u002E\",{id}}}", [200], null, HostileKeys.DotDot),
                ("extra properties", $"{{\"note\":{{\"a\":[1,2,{{\"b\":null}}]}},\"incidentKey\":{k},\"n\":1e308,\"s\":\"\\u2028\",{id}}}", [200], null, key),
                ("spaces and line breaks", $"\r\n {{ \"incidentKey\" :\t{k} ,\n {id} }} \n", [200], null, key),
                ("a lone surrogate in another property", $"{{\"incidentKey\":{k},\"note\":\"\\ud800\",{id}}}", [200, 400], "invalid_json", key),
                ("another property repeated", $"{{\"incidentKey\":{k},\"note\":1,\"note\":2,{id}}}", [200, 400], "invalid_json", key),
                ("another property nested 500 deep", $"{{\"incidentKey\":{k},\"deep\":{new string('[', 500)}{new string(']', 500)},{id}}}", [200, 400], "invalid_json", key),
                ("a byte-order mark first", $"\uFEFF{{\"incidentKey\":{k},{id}}}", [200, 400], "invalid_json", key));
            if (target is not null && !_seeded.Contains(target))
            {
                (allowed, error, target) = (allowed.Contains(400) ? [400, 404] : [404], null, null);
            }
            return Ack("AckBodyOdd", $"ack, body form, of {HostileKeys.Show(key)}: {what}", EndpointCalls.AckByBody, Encoding.UTF8.GetBytes(body), allowed, error, target)
                with { Names = key };
        }
        if (roll < 90)
        {
            // Bytes that are not UTF-8 inside the key's string.
            var invalid = InvalidUtf8();
            byte[] body = [.. "{\"incidentKey\":\"EP-1"u8, .. invalid, .. Encoding.ASCII.GetBytes($"\",\"requestId\":\"{Guid.NewGuid()}\"}}")];
            return Ack("AckBodyInvalidUtf8", $"ack, body form, raw bytes {Convert.ToHexString(invalid)} in the key", EndpointCalls.AckByBody, body,
                [400], "invalid_json", null);
        }
        return LockBroken(path: false);
    }

    private EndpointCall AckByBody(string key)
    {
        var seeded = _seeded.Contains(key);
        var relaxed = _random.Next(2) == 0;
        return Ack("AckBody", $"ack, body form{(relaxed ? " (raw UTF-8)" : "")}, of {HostileKeys.Show(key)}", EndpointCalls.AckByBody,
            EndpointCalls.AckBody(key, relaxed), seeded ? [200] : [404], seeded ? null : "incident_not_found", seeded ? key : null);
    }

    // ---- the ops locks ----------------------------------------------------------------------------

    /// <summary>A call to either form failing one of the locks, in their order: size, signature, principal.</summary>
    private EndpointCall LockBroken(bool path)
    {
        var key = Pick(ValidTargets(longKey: !path), 1);
        var target = path ? EndpointCalls.AckByPath(HostileKeys.Segment(key)) : EndpointCalls.AckByBody;
        var body = path ? EndpointCalls.RequestIdBody() : EndpointCalls.AckBody(key);
        var form = path ? "path" : "body";
        var name = Principal();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        List<(string, string)> headers;
        string what;
        int status;
        switch (_random.Next(7))
        {
            case 0:
                headers = EndpointCalls.OpsSignature(body, OpsCall.Admin(name));
                headers.RemoveAll(h => h.Item1 is HmacRequestSignature.SignatureHeader or HmacRequestSignature.TimestampHeader);
                (what, status) = ("unsigned", 401);
                break;
            case 1:
                headers = EndpointCalls.OpsSignature(body, OpsCall.Admin(name), secret: "another-secret-0123456789abcdef");
                (what, status) = ("signed with another secret", 401);
                break;
            case 2:
                headers = EndpointCalls.OpsSignature(body, OpsCall.Admin(name), now - 400);
                (what, status) = ("signed 400 s ago", 401);
                break;
            case 3:
                headers = EndpointCalls.OpsSignature(body, null, OpsTimestamp(body));
                (what, status) = ("without a principal", 401);
                break;
            case 4:
                headers = EndpointCalls.OpsSignature(body, ClientPrincipal.Encode(name, ["reader"]), OpsTimestamp(body));
                (what, status) = ("by a caller without the admin role", 403);
                break;
            case 5:
                headers = EndpointCalls.OpsSignature(body, "not base64 at all!", OpsTimestamp(body));
                (what, status) = ("with a principal that is not base64", 401);
                break;
            default:
                body = path
                    ? Encoding.ASCII.GetBytes($$"""{"requestId":"{{Guid.NewGuid()}}","pad":"{{new string('p', 64 * 1024)}}"}""")
                    : Encoding.UTF8.GetBytes($$"""{"incidentKey":{{HostileKeys.Json(key)}},"pad":"{{new string('p', 64 * 1024)}}"}""");
                headers = EndpointCalls.OpsSignature(body, OpsCall.Admin(name), OpsTimestamp(body));
                (what, status) = ("with a body over 64 KiB", 413);
                break;
        }
        headers.Add((EndpointCalls.FunctionKeyHeader, _functionKey));
        return new EndpointCall("AckLocks", $"ack, {form} form, of {HostileKeys.Show(key)} {what}", RawHttp.Request("POST", target, headers, body),
            AckEndpoint, [status], null, null, name, true, true) { Names = key };
    }

    /// <summary>An admin's signed call; the signature is new (an accepted one is refused the second time).</summary>
    private EndpointCall Ack(string kind, string summary, string target, byte[] body, int[] allowed, string? error, string? ackTarget)
    {
        var name = Principal();
        var headers = EndpointCalls.OpsSignature(body, OpsCall.Admin(name), OpsTimestamp(body));
        return Call(kind, summary, "POST", target, headers, body, AckEndpoint, allowed, error, allowed.Contains(200) ? ackTarget : null, name, isAck: true);
    }

    /// <summary>Now, or a second earlier for each earlier call with the same body: every signature is new.</summary>
    private long OpsTimestamp(byte[] body)
    {
        var ts = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        while (!_opsSignatures.Add(HmacRequestSignature.Sign(OpsCall.Secret, ts, body)))
        {
            ts--;
        }
        if (DateTimeOffset.UtcNow.ToUnixTimeSeconds() - ts > 120)
        {
            throw new InvalidOperationException("The same ops body was generated too often to sign it anew within the time window.");
        }
        return ts;
    }

    private string Principal() => $"ops-{_random.Next(8)}";

    // ---- every route ----------------------------------------------------------------------------------

    private EndpointCall Call(string kind, string summary, string method, string target, List<(string Name, string Value)> headers, byte[] body,
        string endpoint, int[] allowed, string? error, string? ackTarget, string? caller, bool isAck)
    {
        // The function key, mostly as the header, sometimes as ?code=.
        if (_random.Next(4) == 0)
        {
            target += "?code=" + Uri.EscapeDataString(_functionKey);
        }
        else
        {
            headers.Add((EndpointCalls.FunctionKeyHeader, _functionKey));
        }
        return new EndpointCall(kind, summary, RawHttp.Request(method, target, headers, body), endpoint, allowed, error, ackTarget, caller, true, isAck);
    }

    /// <summary>The same request without a valid function key: the host refuses it before the app sees it (not audited).</summary>
    private EndpointCall WithoutFunctionKey(EndpointCall call)
    {
        var text = Encoding.Latin1.GetString(call.Bytes);
        var keyHeader = $"{EndpointCalls.FunctionKeyHeader}: {_functionKey}\r\n";
        var keyQuery = "?code=" + Uri.EscapeDataString(_functionKey);
        var (what, replacement) = Pick<(string, string)>(("none", ""), ("a wrong one", "wrong-function-key-0123456789"), ("upper case", _functionKey.ToUpperInvariant()),
            ("with a space", _functionKey + " x"), ("cut short", _functionKey[..^1]));
        text = text.Contains(keyHeader, StringComparison.Ordinal)
            ? text.Replace(keyHeader, replacement.Length == 0 ? "" : $"{EndpointCalls.FunctionKeyHeader}: {replacement}\r\n")
            : text.Replace(keyQuery, replacement.Length == 0 ? "" : "?code=" + Uri.EscapeDataString(replacement));
        return call with
        {
            Kind = "FunctionKey",
            Summary = $"{call.Summary}, function key {what}",
            Bytes = Encoding.Latin1.GetBytes(text),
            // What Kestrel refuses (a request line too long, a NUL in the path) it refuses before the key is looked at.
            Allowed = call.ReachesApp is null ? [400, 401, 414] : [401],
            Error = "invalid_function_key",
            Target = null,
            ReachesApp = call.ReachesApp == true ? false : call.ReachesApp,
        };
    }

    // ---- helpers --------------------------------------------------------------------------------------

    /// <summary>The keys valid calls name: seeded ones mostly, sometimes one no incident has.</summary>
    private string[] ValidTargets(bool longKey = true) =>
        longKey ? _seeded : _seeded.Where(k => k != HostileKeys.FourByteLong).ToArray();

    private string Pick(string[] keys, double seededShare) =>
        _random.NextDouble() < seededShare ? keys[_random.Next(keys.Length)] : $"EP-NONE-{_random.Next(1000)}";

    private T Pick<T>(params T[] items) => items[_random.Next(items.Length)];

    /// <summary>A seeded key that is not <paramref name="key"/>.</summary>
    private string OtherThan(string key) => _seeded.First(k => k != key);

    private byte[] InvalidUtf8() => Pick<byte[]>([0xFF], [0xC3, 0x28], [0xE2, 0x82], [0xC0, 0xAE], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xFE, 0xFF]);

    private byte[] Bytes(int min, int max)
    {
        var bytes = new byte[_random.Next(min, max)];
        _random.NextBytes(bytes);
        return bytes;
    }

    private static string AckButton(string keyJson) =>
        $$$"""{"type":"button","action_id":"ack","value":{{{keyJson}}},"text":{"type":"plain_text","text":"Acknowledge"}}""";

    private static string Section(string accessory) =>
        $$"""{"type":"section","text":{"type":"mrkdwn","text":"*Escalated to level 1*"},"accessory":{{accessory}}}""";

    private static string Message(string text, string blocks) => $$"""{"text":{{text}},"blocks":[{{blocks}}]}""";

    /// <summary>The payload with a clicked message whose text is <paramref name="mark"/>, to be spliced in after form-encoding.</summary>
    private static string WithMessageText(ClickPayload payload, string mark)
    {
        payload.Message = Message($"\"{mark}\"", Section(AckButton(payload.Value)));
        return payload.Text();
    }

    private static byte[] Splice(byte[] form, string mark, byte[] bytes)
    {
        var at = form.AsSpan().IndexOf(Encoding.ASCII.GetBytes(mark));
        return [.. form.AsSpan(0, at), .. bytes, .. form.AsSpan(at + mark.Length)];
    }

    private static string LowerCaseEscapes(string encoded)
    {
        var chars = encoded.ToCharArray();
        for (var i = 0; i + 2 < chars.Length; i++)
        {
            if (chars[i] == '%')
            {
                chars[i + 1] = char.ToLowerInvariant(chars[i + 1]);
                chars[i + 2] = char.ToLowerInvariant(chars[i + 2]);
            }
        }
        return new string(chars);
    }

    private static List<(string Name, string Value)> Replace(List<(string Name, string Value)> headers, string name, string value) =>
        headers.Select(h => h.Name == name ? (h.Name, value) : h).ToList();
}
