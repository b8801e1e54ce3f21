using System.Diagnostics;
using System.Text;
using System.Text.Json;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Ops;
using EscalationFunctions.Tests.Support;
using Xunit.Abstractions;

namespace EscalationFunctions.Tests.Endpoints;

/// <summary>
/// Reference §6.1, §6.2 and §9 against a real server process: thousands of seeded hostile requests to
/// Slack's click route (validly signed, hostile payloads) and both forms of acknowledge. No 5xx, JSON
/// on every answer of the app, one audit row for each call that reached it, the process alive, no
/// escalation or outbox row written, nothing in the logs a caller wrote, and above all: exactly the
/// incidents valid calls named are acknowledged, by their callers, and the decoys that only a wrong
/// decoding of an invalid call names are not. <c>ESC_FUZZ_SEED=&lt;seed&gt;</c> replays a run (for the
/// same product: replays repeat calls the server accepted); the seed is printed and is in every
/// failure message.
/// </summary>
[Lane(TestLane.Process)]
public class EndpointFuzzTests(DatabaseFixture fixture, ITestOutputHelper output) : SlackTest(fixture)
{
    private const int Requests = 2000;
    private const string FunctionKey = "endpoint-fuzz-function-key-0123456789";
    private const int MaxLogLine = 2000; // characters as PostgreSQL counts a key's: code points

    // Kestrel's own refusals of a request it cannot parse or that is too long (no JSON body).
    private static readonly int[] ProtocolRefusals = [400, 405, 414, 431];

    // Answers of the host itself, before the app: not audited.
    private static readonly string[] HostRefusals = ["invalid_function_key", "not_found"];

    [Fact]
    public async Task Thousands_of_hostile_clicks_and_acks_acknowledge_exactly_what_valid_calls_name_with_no_5xx_and_every_call_audited()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("ESC_FUZZ_SEED"), out var given) ? given : Environment.TickCount & int.MaxValue;
        output.WriteLine($"ESC_FUZZ_SEED={seed}");
        var ordinary = Enumerable.Range(0, 30).Select(i => $"EP-{i}").ToArray();
        string[] named = [.. ordinary, .. HostileKeys.Special];
        await HostileKeys.InsertAsync(Db, [.. named, .. HostileKeys.Decoys]);
        var before = await WorkSnapshotAsync();

        // Dry run, and the timer never ticks: only acknowledging may change anything.
        await using var server = await ServerProcess.StartAsync(OpsTestSettings.For(Db, new()
        {
            [SettingNames.DryRun] = "true",
            [SettingNames.OpsFunctionKey] = FunctionKey,
            [SettingNames.OpsRateLimitPerMinute] = "100000",
            [SettingNames.SlackSigningSecret] = SlackClick.Secret,
            [SettingNames.SlackResponseUrlHosts] = "127.0.0.1",
        }));
        var requests = new HostileEndpointRequests(new Random(seed), FunctionKey, Slack.ResponseUrl("fuzz"), named, Requests);
        var violations = new Violations();
        var reachedApp = new Dictionary<(string Endpoint, int Status), int>();
        var statuses = new Dictionary<string, int>();
        // Who acknowledged each incident, as the answers tell it: the first call answered 200 for it.
        var acknowledgedBy = new Dictionary<string, string>(StringComparer.Ordinal);
        // Calls answered 200 against the contract, by the incident they were made for: the likely acknowledgers of a surprise.
        var suspects = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var stopwatch = Stopwatch.StartNew();

        for (var i = 0; i < Requests; i++)
        {
            var call = requests.Next();
            var what = $"request #{i} [{call.Kind}] {call.Summary} (ESC_FUZZ_SEED={seed})";
            var answer = await RawHttp.SendAsync(server.BaseUrl, call.Bytes);
            requests.Answered(call, answer.Status);
            Count(statuses, $"{call.Endpoint} {answer.Status}");
            Assert.False(server.HasExited, $"The server exited at {what}. Output:\n{Tail(server.Output)}");

            var reached = Check(call, answer, what, violations);
            if (reached)
            {
                Count(reachedApp, (call.Endpoint, answer.Status));
            }
            if (answer.Status == 200 && call.Target is { } target && named.Contains(target))
            {
                Acknowledged(call, target, answer, what, acknowledgedBy, violations);
            }
            else if (answer.Status == 200 && call.Names is { } mentioned && !call.Allowed.Contains(200))
            {
                (suspects.TryGetValue(mentioned, out var list) ? list : suspects[mentioned] = []).Add(i);
            }
        }
        output.WriteLine($"{Requests} requests in {stopwatch.Elapsed.TotalSeconds:F1} s; answers: " +
                         string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}")));

        // Still alive and serving.
        var health = await RawHttp.SendAsync(server.BaseUrl, RawHttp.Request("GET", "/ops/escalation/health", [(EndpointCalls.FunctionKeyHeader, FunctionKey)]));
        Assert.True(health.Status == 200, $"health answered {health.Status} {health.Body} after the run (ESC_FUZZ_SEED={seed})");
        Count(reachedApp, ("health", 200));

        // Every check below runs, and the failure message has all that failed: one cause often shows in several.
        violations.WriteTo(output);
        var failures = new List<string>();
        if (violations.Count > 0)
        {
            failures.Add($"{violations.Count} answers broke the contract (each is in the test output):\n" + violations.Summary());
        }

        // Exactly the incidents valid calls named are acknowledged, each by the caller whose call did it.
        var acknowledged = await Incidents.AcknowledgedAsync(Db);
        var wrong = acknowledged.Where(a => !acknowledgedBy.TryGetValue(a.Key, out var by) || by != a.Value)
            .Select(a => $"{HostileKeys.Show(a.Key)} acknowledged by '{a.Value}', expected " +
                         (acknowledgedBy.TryGetValue(a.Key, out var by) ? $"'{by}'" : "nobody: no call that may acknowledge it was answered 200") +
                         (suspects.TryGetValue(a.Key, out var calls) ? $" (answered 200 against the contract: request #{string.Join(", #", calls)})" : ""))
            .Concat(acknowledgedBy.Keys.Where(k => !acknowledged.ContainsKey(k)).Select(k => $"{HostileKeys.Show(k)} not acknowledged, but a call for it was answered 200"))
            .Concat(HostileKeys.Decoys.Where(acknowledged.ContainsKey).Select(k => $"the decoy {HostileKeys.Show(k)} is acknowledged"))
            .Concat(new[] { HostileKeys.Dot, HostileKeys.DotDot, HostileKeys.FourByteLong, HostileKeys.FourByteShort }
                .Where(k => !acknowledged.ContainsKey(k)).Select(k => $"{HostileKeys.Show(k)} is not acknowledged, though valid calls named it"))
            .ToList();
        if (wrong.Count > 0)
        {
            failures.Add("Acknowledged incidents differ from what valid calls named:\n" + string.Join('\n', wrong));
        }

        if (!(await WorkSnapshotAsync()).SequenceEqual(before))
        {
            failures.Add("Escalations, outbox rows or incidents (other than their acknowledgement) changed.");
        }

        var audited = (await Db.QueryAsync("SELECT endpoint, coalesce(http_status, 0), count(*) FROM ops_audit GROUP BY 1, 2",
            r => (Key: (r.GetString(0), r.GetInt32(1)), Count: (int)r.GetInt64(2)))).ToDictionary(r => r.Key, r => r.Count);
        if (!reachedApp.OrderBy(s => s.Key).SequenceEqual(audited.OrderBy(s => s.Key)))
        {
            failures.Add($"Audit rows per endpoint and status differ from the calls that reached the app:\ncalls:   {Show(reachedApp)}\naudited: {Show(audited)}");
        }

        failures.AddRange(LogProblems(server.Output));
        Assert.True(failures.Count == 0, $"ESC_FUZZ_SEED={seed}\n" + string.Join("\n\n", failures) + $"\n(ESC_FUZZ_SEED={seed})");
    }

    /// <summary>Checks one answer against the call's expectation; true when the app (not the host or Kestrel) answered.</summary>
    private static bool Check(EndpointCall call, RawHttp.Answer answer, string what, Violations violations)
    {
        var got = $"{answer.Status} {ErrorOf(answer)}".TrimEnd();
        var body = Cut(answer.Body);
        if (answer.Status == 0)
        {
            violations.Add(call, what, "no answer", body);
            return false;
        }
        if (answer.Status >= 500)
        {
            violations.Add(call, what, $"answered {got}", body); // still audited when the app gave it, so classified below
        }
        bool reached;
        string? error = null;
        if (answer.ContentType is null && answer.Body.Length == 0 && ProtocolRefusals.Contains(answer.Status))
        {
            reached = false;
            if (call.ReachesApp != null)
            {
                violations.Add(call, what, $"refused by Kestrel with a bare {answer.Status}, expected an answer of the {(call.ReachesApp == true ? "app" : "host")}");
                return false;
            }
        }
        else
        {
            if (answer.ContentType?.StartsWith("application/json", StringComparison.Ordinal) != true)
            {
                violations.Add(call, what, $"answered {got} as '{answer.ContentType}', not application/json", body);
                return false;
            }
            JsonElement json;
            try
            {
                json = JsonDocument.Parse(answer.Body).RootElement;
            }
            catch (JsonException)
            {
                violations.Add(call, what, $"answered {got}, which is not JSON", body);
                return false;
            }
            if (answer.Status >= 400)
            {
                error = json.ValueKind == JsonValueKind.Object && json.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
                var message = json.ValueKind == JsonValueKind.Object && json.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
                if (string.IsNullOrEmpty(error) || string.IsNullOrEmpty(message))
                {
                    violations.Add(call, what, $"answered {got} without an error and a message", body);
                }
            }
            reached = !HostRefusals.Contains(error);
            if (call.ReachesApp is { } expected && expected != reached)
            {
                violations.Add(call, what, $"answered {got}, expected {(expected ? "the app to answer it" : "the host to refuse it")}", body);
                return reached;
            }
        }
        if (answer.Status >= 500)
        {
            return reached;
        }
        if (!call.Allowed.Contains(answer.Status))
        {
            violations.Add(call, what, $"answered {got}, expected {string.Join(" or ", call.Allowed)}", body);
        }
        else if (answer.Status >= 400 && answer.ContentType is not null && call.Error is { } expectedError && error != expectedError)
        {
            violations.Add(call, what, $"answered {got}, expected the error '{expectedError}'", body);
        }
        return reached;
    }

    /// <summary>A 200 for a call naming a seeded incident: that incident is acknowledged, by this caller if no call did it before.</summary>
    private static void Acknowledged(EndpointCall call, string target, RawHttp.Answer answer, string what,
        Dictionary<string, string> acknowledgedBy, Violations violations)
    {
        var first = !acknowledgedBy.ContainsKey(target);
        if (first)
        {
            acknowledgedBy[target] = call.Caller!;
        }
        if (!call.IsAck)
        {
            return;
        }
        // The ack answer says which incident, whether it was acknowledged before and by whom (reference §6.2).
        try
        {
            var json = JsonDocument.Parse(answer.Body).RootElement;
            var key = json.GetProperty("incidentKey").GetString();
            var already = json.GetProperty("alreadyAcknowledged").GetBoolean();
            var by = json.GetProperty("acknowledgedBy").GetString();
            json.GetProperty("acknowledgedAt").GetDateTimeOffset();
            if (key != target || already == first || by != acknowledgedBy[target])
            {
                violations.Add(call, what, "answered another acknowledgement than the one its incident had",
                    $"incidentKey {HostileKeys.Show(key)}, alreadyAcknowledged {already}, acknowledgedBy '{by}'; " +
                    $"expected {HostileKeys.Show(target)}, {!first}, '{acknowledgedBy[target]}'");
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            violations.Add(call, what, "answered a 200 that is not the acknowledgement the spec describes", $"{e.Message}: {Cut(answer.Body)}");
        }
    }

    /// <summary>Nothing the callers sent split a log line, made one huge, or started one; the function key is in none.</summary>
    private static IEnumerable<string> LogProblems(string serverOutput)
    {
        var bad = serverOutput.Split('\n').Select((line, n) => (line, n)).Where(l =>
                l.line.Contains(FunctionKey, StringComparison.Ordinal) ||
                l.line.Any(c => char.IsControl(c) && c != '\t' || c is '\u2028' or '\u2029') ||
                l.line.EnumerateRunes().Count() > MaxLogLine ||
                l.line.StartsWith("INJECTED", StringComparison.Ordinal) || l.line.StartsWith("FAKE", StringComparison.Ordinal))
            .Select(l => $"line {l.n} ({l.line.EnumerateRunes().Count()} characters): {Cut(l.line.Replace(FunctionKey, "<function key>").Select(Visible).Aggregate(new StringBuilder(), (b, c) => b.Append(c)).ToString())}")
            .ToList();
        return bad.Count == 0 ? [] :
        [
            $"{bad.Count} server log lines hold the function key, control characters or line separators, are longer than {MaxLogLine} characters " +
            "or start with injected text:\n" + string.Join('\n', bad.Take(20)),
        ];
    }

    private static string Visible(char c) => char.IsControl(c) && c != '\t' || c is '\u2028' or '\u2029' ? $"\\u{(int)c:x4}" : c.ToString();

    private static void Count<T>(Dictionary<T, int> counts, T key) where T : notnull => counts[key] = counts.GetValueOrDefault(key) + 1;

    private static string? ErrorOf(RawHttp.Answer answer)
    {
        try
        {
            return answer.Status >= 400 && JsonDocument.Parse(answer.Body).RootElement is { ValueKind: JsonValueKind.Object } json &&
                   json.TryGetProperty("error", out var error) ? error.ToString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Answers that broke the contract: each in the test output, and a summary of how many of each kind for the failure message.</summary>
    private sealed class Violations
    {
        private readonly List<(string Kind, string Problem, string Line)> _all = [];

        public int Count => _all.Count;

        public void Add(EndpointCall call, string what, string problem, string detail = "") =>
            _all.Add((call.Kind, problem, $"{what}: {problem}{(detail.Length > 0 ? ": " + detail : "")}"));

        public void WriteTo(ITestOutputHelper output)
        {
            foreach (var violation in _all)
            {
                output.WriteLine(violation.Line);
            }
        }

        /// <summary>How many calls of each kind broke the contract in each way, then the first ones in full.</summary>
        public string Summary() =>
            string.Join('\n', _all.GroupBy(v => $"[{v.Kind}] {v.Problem}").OrderByDescending(g => g.Count()).Select(g => $"{g.Count(),5} × {g.Key}")) +
            "\nfirst ones:\n" + string.Join('\n', _all.Take(25).Select(v => v.Line));
    }

    private static string Show(Dictionary<(string Endpoint, int Status), int> counts) =>
        string.Join(", ", counts.OrderBy(c => c.Key).Select(c => $"{c.Key.Endpoint} {c.Key.Status}: {c.Value}"));

    private static string Cut(string text) => text.Length > 300 ? text[..(char.IsHighSurrogate(text[299]) ? 299 : 300)] + "…" : text;

    private static string Tail(string text) => text.Length > 4000 ? text[^4000..] : text;

    /// <summary>
    /// Every escalation and page of the outbox, and every incident without its acknowledgement
    /// (acknowledged_at, acknowledged_by, next_due_at), as text. Click answers are left out: valid
    /// clicks queue them beside the pages.
    /// </summary>
    private Task<List<string>> WorkSnapshotAsync() => Db.QueryAsync(
        """
        SELECT 'i ' || (to_jsonb(i) - 'acknowledged_at' - 'acknowledged_by' - 'next_due_at')::text FROM incidents i
        UNION ALL SELECT 'e ' || e::text FROM escalation_events e
        UNION ALL SELECT 'o ' || o::text FROM notification_outbox o WHERE kind = 'page'
        ORDER BY 1
        """, r => r.GetString(0));
}
