using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.RegularExpressions;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Support;
using Xunit.Abstractions;

namespace EscalationFunctions.Tests.Slack;

/// <summary>
/// The scenario of reference §5.6 with real server processes: four instances deliver a storm of
/// due incidents over six webhooks at the default digest settings, against a stand-in that answers
/// 429 to any post less than a second after the last one it accepted, while half of the incidents are
/// acknowledged during delivery, a third each through the ops API, Slack clicks and another
/// system's plain SQL. Afterwards no page was posted after its acknowledgement could have been seen,
/// none was lost or duplicated, and Slack never had to say 429.
/// </summary>
[Lane(TestLane.Process)]
public partial class SlackAckStormScaleOutTests(DatabaseFixture fixture, ITestOutputHelper output) : SlackTest(fixture)
{
    private const int Instances = 4;
    private const int Webhooks = 6;
    private const int PerWebhook = 200;
    private const int Total = Webhooks * PerWebhook;
    private const int AckWorkers = 6;
    private static readonly TimeSpan Pace = TimeSpan.FromSeconds(1);

    private enum AckPath
    {
        OpsApi,
        SlackClick,
        Sql,
    }

    /// <param name="Sent">When the acknowledgement left the test (the stand-in's clock: same process).</param>
    /// <param name="Answered">When its answer was back: the acknowledgement had committed by then.</param>
    private sealed record Ack(string Key, AckPath Path, DateTimeOffset Sent, DateTimeOffset Answered);

    [Fact]
    public async Task Acknowledgements_during_a_storm_over_four_instances_stop_the_pages_not_yet_posted_none_lost_none_twice_no_429()
    {
        var routes = Enumerable.Range(0, Webhooks).Select(w => $"storm-{w}").ToArray();
        await Incidents.InsertDueAsync(Db, Total, i => routes[i % Webhooks]);
        Slack.EnforcedInterval = Pace;
        var env = SettingsWithWebhooks(routes, new()
        {
            [SettingNames.SlackMinIntervalMs] = ((int)Pace.TotalMilliseconds).ToString(),
            // Far above any post here: a post that timed out would be posted again (a repeat the test would count).
            [SettingNames.SlackTimeoutMs] = "20000",
            [SettingNames.TickMs] = "500",
            [SettingNames.OpsHmacSecret] = OpsCall.Secret,
            [SettingNames.OpsTrustPrincipalHeader] = "true",
            [SettingNames.OpsRateLimitPerMinute] = "100000",
            [SettingNames.SlackSigningSecret] = SlackClick.Secret,
            [SettingNames.SlackResponseUrlHosts] = "127.0.0.1",
        });
        env.Remove(SettingNames.SlackDigestThreshold); // the defaults: more than 5 waiting go out in digests of 40

        // Every other incident of each webhook, the newest first (pages go out oldest first, so most
        // acknowledgements meet a page still waiting or claimed), the webhooks and the three paths in turn.
        var toAck = Enumerable.Range(0, PerWebhook).Reverse().Where(rank => rank % 2 == 1)
            .SelectMany(rank => Enumerable.Range(0, Webhooks).Select(w => rank * Webhooks + w))
            .Select((i, n) => (Key: $"INC-{i}", Path: (AckPath)(n % 3)))
            .ToList();

        var acks = new ConcurrentBag<Ack>();
        var servers = await Task.WhenAll(Enumerable.Range(0, Instances).Select(_ => ServerProcess.StartAsync(env)));
        var logs = new List<string>();
        try
        {
            // Acknowledging starts once every webhook has had its first post: delivery is under way everywhere.
            await Eventually.TrueAsync(() => Task.FromResult(routes.All(r => Slack.PostsTo(r).Count > 0)), TimeSpan.FromSeconds(60),
                "every webhook got its first post");
            var clients = servers.Select(s => new HttpClient { BaseAddress = s.BaseUrl, Timeout = TimeSpan.FromSeconds(60) }).ToArray();
            try
            {
                var queue = new ConcurrentQueue<(string Key, AckPath Path)>(toAck);
                var turn = 0;
                await Task.WhenAll(Enumerable.Range(0, AckWorkers).Select(_ => Task.Run(async () =>
                {
                    while (queue.TryDequeue(out var next))
                    {
                        acks.Add(await AcknowledgeAsync(clients[Interlocked.Increment(ref turn) % Instances], next.Key, next.Path));
                    }
                })));
            }
            finally
            {
                foreach (var client in clients)
                {
                    client.Dispose();
                }
            }

            // Settled: every incident not acknowledged has its page queued, and every page is sent or superseded, none leased.
            await Eventually.TrueAsync(async () => await Db.ScalarAsync<long>(
                    """
                    SELECT (SELECT count(*) FROM notification_outbox WHERE status NOT IN ('sent', 'superseded') OR lease_until IS NOT NULL)
                         + (SELECT count(*) FROM incidents i WHERE acknowledged_at IS NULL
                            AND NOT EXISTS (SELECT FROM notification_outbox o WHERE o.incident_key = i.incident_key))
                    """) == 0,
                TimeSpan.FromSeconds(90), "every page sent or superseded");
        }
        finally
        {
            await Task.WhenAll(servers.Select(s => s.StopAsync()));
            foreach (var server in servers)
            {
                logs.AddRange(server.Output.Split('\n'));
                await server.DisposeAsync();
            }
        }

        Assert.Equal(toAck.Count, acks.Count);
        var ackOf = acks.ToDictionary(a => a.Key, StringComparer.Ordinal);
        var rows = await Db.QueryAsync("SELECT dedup_key, incident_key, status FROM notification_outbox WHERE kind = 'page'",
            r => (Dedup: r.GetString(0), Key: r.GetString(1), Status: r.GetString(2)));
        var incidentOf = rows.ToDictionary(r => r.Dedup, r => r.Key, StringComparer.Ordinal);

        var posts = Slack.Posts;
        var pages = posts.Where(p => routes.Contains(p.Webhook)).ToList();
        Assert.Equal(0, posts.Count(p => p.Reply.Kind == ReplyKind.RateLimited));
        Assert.All(pages, p => Assert.True(p.Accepted));
        var postsOf = pages.SelectMany(p => p.MemberKeys.Select(m => (Key: incidentOf[m], Post: p))).ToLookup(x => x.Key, x => x.Post);

        // Nothing duplicated: no escalation in two posts. Nothing lost: every incident not acknowledged
        // was queued and posted exactly once; an acknowledged one at most once, and not at all when superseded.
        Assert.All(postsOf, g => Assert.True(g.Count() == 1, $"{g.Key} was posted {g.Count()} times"));
        var notAcknowledged = Enumerable.Range(0, Total).Select(i => $"INC-{i}").Where(k => !ackOf.ContainsKey(k)).ToList();
        Assert.All(notAcknowledged, k => Assert.True(postsOf.Contains(k), $"{k} was never posted"));
        Assert.All(rows, r => Assert.Equal(postsOf.Contains(r.Key) ? "sent" : "superseded", r.Status));
        Assert.All(rows.Where(r => r.Status == "superseded"), r => Assert.True(ackOf.ContainsKey(r.Key), $"{r.Key} superseded but never acknowledged"));

        // No page after its acknowledgement. The rule, from ordering facts only: a lane fixes what a post
        // carries right before it (the check of reference §5.6), and that is no sooner than the pace after the
        // answer to the webhook's previous post (reference §5.1: SLACK_MIN_INTERVAL_MS from the answer), which
        // came after the stand-in received that post. So a post P may carry an acknowledged incident only
        // when the acknowledgement was not yet answered at (previous post to P's webhook received + pace):
        // that is a post in flight at the acknowledgement, its members fixed before the acknowledgement
        // committed. An acknowledgement answered before that instant was committed before P's members
        // were fixed, and P carrying it is a page posted after its acknowledgement. The first post to each
        // webhook came before any acknowledgement was sent.
        Assert.True(acks.Min(a => a.Sent) > routes.Max(r => Slack.PostsTo(r).Min(p => p.At)), "an acknowledgement was sent before a webhook's first post");
        var late = new List<string>();
        var inFlight = new List<string>();
        var beforeAck = 0;
        foreach (var webhook in routes)
        {
            var ordered = Slack.PostsTo(webhook).OrderBy(p => p.At).ToList();
            for (var n = 0; n < ordered.Count; n++)
            {
                var fixedNoSoonerThan = n == 0 ? DateTimeOffset.MinValue : ordered[n - 1].At + Pace;
                foreach (var key in ordered[n].MemberKeys.Select(m => incidentOf[m]))
                {
                    if (!ackOf.TryGetValue(key, out var ack))
                    {
                        continue;
                    }
                    if (ack.Answered <= fixedNoSoonerThan)
                    {
                        late.Add($"{key} ({ack.Path}) answered {ack.Answered:HH:mm:ss.fff}, posted to {webhook} at {ordered[n].At:HH:mm:ss.fff}, " +
                                 $"members fixed no sooner than {fixedNoSoonerThan:HH:mm:ss.fff}");
                    }
                    else if (ack.Answered <= ordered[n].At)
                    {
                        inFlight.Add($"{key} ({ack.Path}): answered {(ordered[n].At - ack.Answered).TotalMilliseconds:F0} ms before the post arrived");
                    }
                    else
                    {
                        beforeAck++;
                    }
                }
            }
        }

        var superseded = rows.Count(r => r.Status == "superseded");
        var (atClaim, beforePost) = SupersedeCounts(logs);
        output.WriteLine($"{Total} incidents over {Webhooks} webhooks, {Instances} instances; {rows.Count} pages queued, " +
                         $"{pages.Count} posts ({pages.Count(p => p.MemberKeys.Count > 1)} digests, largest {pages.Max(p => p.MemberKeys.Count)}), " +
                         $"{pages.Sum(p => p.MemberKeys.Count)} escalations posted");
        output.WriteLine($"acknowledged: {acks.Count} ({string.Join(", ", acks.GroupBy(a => a.Path).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}"))}), " +
                         $"the first sent {(acks.Min(a => a.Sent) - pages.Min(p => p.At)).TotalSeconds:F1} s after the first post, " +
                         $"the last answered {(acks.Max(a => a.Answered) - pages.Min(p => p.At)).TotalSeconds:F1} s after it");
        output.WriteLine($"superseded: {superseded} (logged: {atClaim} when claimed, {beforePost} right before their post); " +
                         $"acknowledged but posted: {beforeAck} before the acknowledgement was answered, {inFlight.Count} in flight at it, {late.Count} after it");
        foreach (var line in inFlight)
        {
            output.WriteLine($"  in flight: {line}");
        }
        Assert.True(late.Count == 0, $"{late.Count} page(s) posted after their acknowledgement:\n{string.Join('\n', late)}");
        Assert.True(superseded > 0, "no acknowledgement met a page still waiting: the scenario did not happen");
        Assert.Equal(superseded, atClaim + beforePost);
    }

    private async Task<Ack> AcknowledgeAsync(HttpClient client, string key, AckPath path)
    {
        var sent = DateTimeOffset.UtcNow;
        switch (path)
        {
            case AckPath.OpsApi:
                var api = await OpsCall.SendAsync(client, OpsCall.Signed("/ops/incidents/ack", JsonSerializer.Serialize(new { incidentKey = key })));
                Assert.True(api.Status == 200, $"ack of {key}: {api.Status} {api.Raw}");
                Assert.False(api.Json.GetProperty("alreadyAcknowledged").GetBoolean());
                break;
            case AckPath.SlackClick:
                var click = await OpsCall.SendAsync(client, SlackClick.Signed("/slack/interactions",
                    SlackClick.FormBody(SlackClick.Payload(key, Slack.ResponseUrl($"r-{key}")))));
                Assert.True(click.Status == 200, $"click on {key}: {click.Status} {click.Raw}");
                break;
            default:
                Assert.Equal(1, await Db.ExecuteAsync(
                    "UPDATE incidents SET acknowledged_at = now(), acknowledged_by = 'another-system' WHERE incident_key = @k AND acknowledged_at IS NULL",
                    ("k", key)));
                break;
        }
        return new Ack(key, path, sent, DateTimeOffset.UtcNow);
    }

    /// <summary>Pages the servers logged as superseded, at claim and right before their post.</summary>
    private static (int AtClaim, int BeforePost) SupersedeCounts(IEnumerable<string> lines)
    {
        var atClaim = 0;
        var beforePost = 0;
        foreach (var match in lines.Select(l => SupersedeLine().Match(l)).Where(m => m.Success))
        {
            var count = int.Parse(match.Groups["count"].Value);
            if (match.Groups["when"].Value == "when claimed")
            {
                atClaim += count;
            }
            else
            {
                beforePost += count;
            }
        }
        return (atClaim, beforePost);
    }

    [GeneratedRegex(@"Slack: (?<count>\d+) page\(s\) superseded (?<when>when claimed|right before their post)")]
    private static partial Regex SupersedeLine();
}
