using System.Text.Json;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Support;
using Xunit.Abstractions;

namespace EscalationFunctions.Tests.Ops;

/// <summary>
/// Reference §6.1 against a real server process: thousands of seeded hostile requests over every ops
/// route. No 5xx, a JSON error for every refusal the app gives, the process alive afterwards,
/// incidents, events and outbox untouched, and one audit row for every call that reached the app.
/// <c>ESC_FUZZ_SEED=&lt;seed&gt;</c> replays a run; the seed is printed and is in every failure message.
/// </summary>
[Lane(TestLane.Process)]
public class OpsFuzzTests(DatabaseFixture fixture, ITestOutputHelper output) : DatabaseTest(fixture)
{
    private const int Requests = 2000;
    private const string FunctionKey = "fuzz-function-key-0123456789abcdef";

    // The web server's own refusals of a malformed request line or headers (no JSON body, reference §6.1);
    // Kestrel answers the asterisk target ("GET *") with a bare 405.
    private static readonly int[] ProtocolRefusals = [400, 405, 414, 431];

    // Answers of the host itself, before the app: like Azure's, they are not audited.
    private static readonly string[] HostRefusals = ["invalid_function_key", "not_found"];

    [Fact]
    public async Task Thousands_of_hostile_requests_get_no_5xx_change_nothing_and_every_call_that_reached_the_app_is_audited()
    {
        await Incidents.InsertDueAsync(Db, 20);
        var before = await WorkSnapshotAsync();
        var seed = int.TryParse(Environment.GetEnvironmentVariable("ESC_FUZZ_SEED"), out var given) ? given : Environment.TickCount & int.MaxValue;
        output.WriteLine($"ESC_FUZZ_SEED={seed}");

        // Dry run: even a hostile request that passes every check (a signed admin call) writes no escalation.
        await using var server = await ServerProcess.StartAsync(OpsTestSettings.For(Db, new()
        {
            [SettingNames.DryRun] = "true",
            [SettingNames.OpsFunctionKey] = FunctionKey,
        }));
        var requests = new HostileRequests(new Random(seed), FunctionKey);
        var reachedApp = new Dictionary<int, int>();
        var statuses = new Dictionary<string, int>();

        for (var i = 0; i < Requests; i++)
        {
            var request = requests.Next();
            var what = $"request #{i} ({request.Kind}: {request.Summary}; ESC_FUZZ_SEED={seed})";
            var answer = await RawHttp.SendAsync(server.BaseUrl, request.Bytes);
            statuses[$"{answer.Status}"] = statuses.GetValueOrDefault($"{answer.Status}") + 1;

            Assert.False(server.HasExited, $"The server exited at {what}. Output:\n{Tail(server.Output)}");
            Assert.True(answer.Status is >= 200 and < 500, $"{what} answered {answer.Status}: {answer.Body}\nServer output:\n{Tail(server.Output)}");
            if (answer.ContentType is null && answer.Body.Length == 0 && ProtocolRefusals.Contains(answer.Status))
            {
                continue; // refused by Kestrel before the app saw it
            }
            if (request.IsHead)
            {
                // No body to a HEAD; the handler's 405 is the one that says which method to use.
                if (answer.Header("Allow") is not null)
                {
                    Count(reachedApp, answer.Status);
                }
                continue;
            }

            Assert.True(answer.ContentType?.StartsWith("application/json", StringComparison.Ordinal) == true,
                $"{what} answered {answer.Status} with '{answer.ContentType}': {answer.Body}");
            var json = JsonDocument.Parse(answer.Body).RootElement;
            if (answer.Status >= 400)
            {
                Assert.True(json.GetProperty("error").GetString() is { Length: > 0 }, what);
                Assert.True(json.GetProperty("message").GetString() is { Length: > 0 }, what);
                if (HostRefusals.Contains(json.GetProperty("error").GetString()))
                {
                    continue;
                }
            }
            Count(reachedApp, answer.Status);
        }
        output.WriteLine("answers: " + string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}")));

        // Still alive and serving.
        var health = await RawHttp.SendAsync(server.BaseUrl, System.Text.Encoding.ASCII.GetBytes(
            $"GET /ops/escalation/health HTTP/1.1\r\nHost: 127.0.0.1\r\nx-functions-key: {FunctionKey}\r\nConnection: close\r\n\r\n"));
        Assert.Equal(200, health.Status);
        Count(reachedApp, 200);

        Assert.Equal(before, await WorkSnapshotAsync());
        var audited = (await Db.QueryAsync("SELECT coalesce(http_status, 0), count(*) FROM ops_audit GROUP BY 1",
            r => (Status: r.GetInt32(0), Count: (int)r.GetInt64(1)))).ToDictionary(r => r.Status, r => r.Count);
        Assert.Equal(reachedApp.OrderBy(s => s.Key), audited.OrderBy(s => s.Key));

        // Nothing the callers sent split a log line, and the key never reached one.
        var lines = server.Output.Split('\n');
        Assert.DoesNotContain(lines, l => l.Contains(FunctionKey, StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Any(c => char.IsControl(c) && c != '\t' || c is '\u2028' or '\u2029'));
        Assert.DoesNotContain(lines, l => l.StartsWith("FAKE", StringComparison.Ordinal) || l.StartsWith("INJECTED", StringComparison.Ordinal));
    }

    private static void Count(Dictionary<int, int> counts, int status) => counts[status] = counts.GetValueOrDefault(status) + 1;

    private static string Tail(string output) => output.Length > 4000 ? output[^4000..] : output;

    /// <summary>Every row of incidents, escalation_events and notification_outbox, as text.</summary>
    private Task<List<string>> WorkSnapshotAsync() => Db.QueryAsync(
        """
        SELECT 'i ' || i::text FROM incidents i
        UNION ALL SELECT 'e ' || e::text FROM escalation_events e
        UNION ALL SELECT 'o ' || o::text FROM notification_outbox o
        ORDER BY 1
        """, r => r.GetString(0));
}
