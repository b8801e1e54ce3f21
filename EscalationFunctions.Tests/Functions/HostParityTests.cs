using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using EscalationFunctions.Engine.Security;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Testing;
using EscalationFunctions.Testing.FunctionsHost;
using EscalationFunctions.Tests.Support;

namespace EscalationFunctions.Tests.Functions;

/// <summary>
/// The same scenario on both hosts, each on its own database and Slack stand-in: the plain server
/// (its real binary) and the compiled Functions worker under the host stand-in. Every answer, every
/// row the engine writes and every Slack post must be the same, times aside.
/// </summary>
[Lane(TestLane.Process)]
public class HostParityTests
{
    private const string Key = "parity-function-key-0123456789";

    /// <param name="PerHost">A request that names the host's own Slack stand-in (a click's response_url), built for each host.</param>
    /// <param name="OncePagesArePosted">
    /// Sent once the queued pages are out: an acknowledgement that came first would supersede its page
    /// (reference §5.6), and whether it comes first would be a race between the test and the host's sender.
    /// </param>
    private sealed record Step(string Method, string Path, HttpRequestMessage? Signed = null, Func<SlackStandIn, HttpRequestMessage>? PerHost = null,
        bool OncePagesArePosted = false);

    [Fact]
    public async Task The_plain_server_and_the_Functions_worker_give_the_same_answers_rows_and_posts()
    {
        // Signed once, sent to both: the same bytes, timestamp and signature (each host has its own replay store).
        var tick = OpsCall.Signed("/ops/escalation/tick", body: """{"requestId":"parity-tick"}""");
        var recalc = OpsCall.Signed("/ops/escalation/recalc", body: """{"requestId":"parity-recalc"}""");
        var notAdmin = OpsCall.Signed("/ops/escalation/tick", body: """{"requestId":"parity-viewer"}""",
            principal: ClientPrincipal.Encode("bob", ["viewer"]));
        Step[] steps =
        [
            new("GET", "/ops/escalation/health"),
            new("GET", "/ops/escalation/tick"),
            new("POST", "/ops/escalation/tick", tick),
            new("POST", "/ops/escalation/tick", tick), // the replay
            new("POST", "/ops/escalation/tick", notAdmin),
            new("POST", "/ops/escalation/recalc", recalc),
            new("POST", "/ops/incidents/DUE-0/ack", OpsCall.Signed("/ops/incidents/DUE-0/ack", body: """{"requestId":"parity-ack"}"""), OncePagesArePosted: true),
            new("POST", "/ops/incidents/ack", OpsCall.Signed("/ops/incidents/ack", body: """{"incidentKey":"LATER"}""")),
            new("POST", "/ops/incidents/%FF/ack", OpsCall.Signed("/ops/incidents/%FF/ack", body: """{"requestId":"parity-ff"}""")),
            new("POST", "/slack/interactions", PerHost: slack => SlackClick.Signed("/slack/interactions",
                SlackClick.FormBody(SlackClick.Payload("CRIT-0", slack.ResponseUrl("parity"))))),
        ];
        // Once every post is out, so that both hosts report the same queue.
        Step[] afterDelivery = [new("GET", "/ops/escalation/health")];

        var onServer = await RunAsync(steps, afterDelivery, async settings =>
        {
            var server = await ServerProcess.StartAsync(settings);
            return (server.BaseUrl, server);
        });
        var diagnostics = "";
        var workerId = 0;
        var onFunctions = await RunAsync(steps, afterDelivery, async settings =>
        {
            var host = await FunctionsHostStandIn.StartAsync(settings, functionKey: Key);
            workerId = host.WorkerProcessId;
            return (host.BaseUrl, new DisposeWith(host, () => diagnostics = $"host: {string.Join("; ", host.FrontEndErrors)}\nworker:\n{host.Output}"));
        });
        Assert.Throws<ArgumentException>(() => Process.GetProcessById(workerId)); // disposing of the host killed its worker

        Assert.Equal([200, 405, 200, 401, 403, 200, 200, 200, 400, 200, 200], onServer.Answers.Select(a => a.Status));
        Assert.Equal(4, onServer.Rows.Count(r => r.StartsWith("event "))); // three new, one there before
        Assert.Equal(4, onServer.Posts.Count); // three pages and the click's response_url answer
        foreach (var (server, functions, i) in onServer.Answers.Zip(onFunctions.Answers, Enumerable.Range(0, int.MaxValue)))
        {
            Assert.True(server == functions, $"step {i}: plain server {server}, Functions worker {functions}\n{diagnostics}");
        }
        Assert.Equal(onServer.Answers.Count, onFunctions.Answers.Count);
        Assert.Equal(onServer.Rows, onFunctions.Rows);
        Assert.Equal(onServer.Posts, onFunctions.Posts);
    }

    /// <summary>Runs <paramref name="before"/> just before it disposes of <paramref name="inner"/>: the last look at a host.</summary>
    private sealed class DisposeWith(IAsyncDisposable inner, Action before) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            before();
            return inner.DisposeAsync();
        }
    }

    private sealed record Outcome(List<(int Status, string Json)> Answers, List<string> Rows, List<string> Posts);

    private static async Task<Outcome> RunAsync(Step[] steps, Step[] afterDelivery, Func<Dictionary<string, string>, Task<(Uri, IAsyncDisposable)>> start)
    {
        await using var db = await TestDatabase.CreateAsync(nameof(HostParityTests));
        await using var slack = await SlackStandIn.StartAsync();
        await Incidents.InsertDueAsync(db, 2, _ => "payments", prefix: "DUE");
        await Incidents.InsertDueAsync(db, 1, _ => "search", prefix: "CRIT", severity: "critical");
        await Incidents.InsertDueAsync(db, 1, prefix: "DONE");
        await db.ExecuteAsync("INSERT INTO escalation_events (incident_key, level, unique_hash) VALUES ('DONE-0', 1, escalation_hash('DONE-0', 1))");
        await Incidents.InsertAsync(db, "LATER", "payments", "warning", TimeSpan.FromMinutes(1));
        var settings = FunctionsWorkerFixture.Settings(db, slack, new()
        {
            [SettingNames.OpsFunctionKey] = Key,
            [SettingNames.SlackSigningSecret] = SlackClick.Secret,
            [SettingNames.SlackResponseUrlHosts] = "127.0.0.1",
            [SettingNames.SlackRouteWebhooks] = JsonSerializer.Serialize(new Dictionary<string, string> { ["payments"] = slack.WebhookUrl("payments").AbsoluteUri }),
        });

        var (baseUrl, host) = await start(settings);
        await using (host)
        {
            using var client = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(60) };
            var answers = new List<(int, string)>();
            async Task SendAsync(Step step)
            {
                var request = step.PerHost?.Invoke(slack)
                              ?? (step.Signed is null ? new HttpRequestMessage(new HttpMethod(step.Method), step.Path) : await OpsCall.CloneAsync(step.Signed));
                request.Headers.Add("x-functions-key", Key);
                var answer = await OpsCall.SendAsync(client, request);
                answers.Add((answer.Status, Normalize(answer.Raw)));
            }
            foreach (var step in steps)
            {
                if (step.OncePagesArePosted)
                {
                    await Eventually.TrueAsync(async () => await db.ScalarAsync<long>("SELECT count(*) FROM notification_outbox WHERE status = 'pending'") == 0,
                        TimeSpan.FromSeconds(30), "the tick's pages were posted");
                }
                await SendAsync(step);
            }
            await Eventually.TrueAsync(async () => await db.ScalarAsync<long>(
                    "SELECT count(*) FROM notification_outbox WHERE status = 'pending'") == 0,
                TimeSpan.FromSeconds(30), "every notification and the click's answer were delivered");
            foreach (var step in afterDelivery)
            {
                await SendAsync(step);
            }

            var rows = new List<string>();
            rows.AddRange(await db.QueryAsync(
                "SELECT 'incident ' || incident_key || ' level ' || escalation_level || ' escalated ' || (last_escalated_at IS NOT NULL) || ' due ' || (next_due_at IS NOT NULL) || ' by ' || coalesce(acknowledged_by, '-') FROM incidents",
                r => r.GetString(0)));
            rows.AddRange(await db.QueryAsync("SELECT 'event ' || incident_key || ' ' || level || ' ' || unique_hash FROM escalation_events", r => r.GetString(0)));
            rows.AddRange(await db.QueryAsync(
                "SELECT 'outbox ' || concat_ws(' ', dedup_key, incident_key, level, route, severity, title, status, attempts, last_error) FROM notification_outbox",
                r => r.GetString(0)));
            rows.AddRange(await db.QueryAsync(
                "SELECT 'audit ' || concat_ws(' ', caller, endpoint, outcome, http_status, remote_addr), details::text FROM ops_audit",
                r => $"{r.GetString(0)} {Normalize(r.GetString(1))}"));
            rows.AddRange(await db.QueryAsync("SELECT last_result::text FROM escalation_ticks", r => $"tick {Normalize(r.GetString(0))}"));
            rows.Sort(StringComparer.Ordinal);
            var posts = slack.Posts.Select(p => $"{p.Webhook} {p.DedupHeader} {p.Body}").Order(StringComparer.Ordinal).ToList();
            return new Outcome(answers, rows, posts);
        }
    }

    /// <summary>The JSON with every time (a property ending in Ms or At) replaced by a marker: present, null or not, but not compared.</summary>
    private static string Normalize(string json)
    {
        if (json.Length == 0)
        {
            return json;
        }
        var node = JsonNode.Parse(json);
        Mask(node);
        return node?.ToJsonString() ?? "null";

        static void Mask(JsonNode? node)
        {
            if (node is JsonObject obj)
            {
                foreach (var name in obj.Select(p => p.Key).ToList())
                {
                    if ((name.EndsWith("Ms", StringComparison.Ordinal) || name.EndsWith("At", StringComparison.Ordinal) ||
                         name.EndsWith("_ms", StringComparison.Ordinal) || name.EndsWith("_at", StringComparison.Ordinal)) && obj[name] is not null)
                    {
                        obj[name] = "<time>";
                    }
                    else
                    {
                        Mask(obj[name]);
                    }
                }
            }
            else if (node is JsonArray array)
            {
                foreach (var item in array)
                {
                    Mask(item);
                }
            }
        }
    }
}
