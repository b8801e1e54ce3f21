using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Engine.Telemetry;
using EscalationFunctions.Testing;

namespace EscalationFunctions.Benchmarks;

/// <summary>
/// Part 3: Slack delivery. One tick escalates <c>messages</c> incidents spread evenly over
/// <c>webhooks</c> routes, each route with its own webhook on a <see cref="SlackStandIn"/> that
/// enforces Slack's limit strictly: a post that arrives less than <see cref="Limit"/> after the last
/// accepted post to the same webhook is answered 429 with <c>Retry-After</c> (whole seconds, at
/// least 1). That allows no burst at all, which is stricter than Slack ("about one per second, short
/// bursts allowed"), so the figure is a lower bound. The engine runs as the hosts run it: the real
/// <c>NotificationSenderService</c> and <c>NotificationDispatcher</c>, default settings
/// (<c>SLACK_MIN_INTERVAL_MS</c> 1000, timeouts and retries as shipped), woken by the tick's commit.
/// Three scenarios: one instance; several instances in one process, each with its own sender and
/// connection pool, sharing the webhooks through the database as separate servers do (reference §5.1);
/// and a storm on a single webhook at the default digest settings (reference §5.2), with the same storm
/// at another <c>SLACK_DIGEST_MAX</c> when <c>--storm-digest-max</c> asks for it.
/// </summary>
public static class SlackBenchmark
{
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromMinutes(3);

    /// <summary>One instance delivering <c>--slack</c> messages over as many webhooks (its floor: Report.SingleInstanceShareBefore).</summary>
    public static Task<SlackSummary> SingleInstanceAsync(BenchDatabases dbs, BenchOptions options, TextWriter log) =>
        RunAsync("single instance", dbs, options.SlackMessages, options.SlackWebhooks, 1, options.SlackRuns, log, SinglePosts);

    /// <summary>Reference §5.1: the same load shared by <c>--slack-instances</c> instances, each with its own sender and pool.</summary>
    public static Task<SlackSummary> ScaleOutAsync(BenchDatabases dbs, BenchOptions options, TextWriter log) =>
        RunAsync($"{options.SlackInstances} instances", dbs, options.SlackMessages, options.SlackWebhooks, options.SlackInstances, options.SlackRuns, log, SinglePosts);

    /// <summary>
    /// Reference §5.2: a storm of <c>--storm</c> escalations for one webhook, from one tick, at the
    /// default digest settings (<c>SLACK_DIGEST_MAX</c> 40 since 1.2): the storm goal, every escalation
    /// delivered within 30 s of the tick, is measured here, with nothing set.
    /// </summary>
    public static async Task<SlackSummary> StormAsync(BenchDatabases dbs, BenchOptions options, TextWriter log) =>
        await RunAsync("storm, defaults", dbs, options.StormMessages, 1, 1, options.SlackRuns, log, new Dictionary<string, string>())
            with { DigestMax = SlackSettings.DefaultDigestMax };

    /// <summary>
    /// The same storm at another <c>SLACK_DIGEST_MAX</c> (<c>--storm-digest-max N</c>; e.g. 20, the
    /// default before spec 1.2), for comparison; not run unless asked for.
    /// </summary>
    public static async Task<SlackSummary> StormWithDigestMaxAsync(BenchDatabases dbs, BenchOptions options, int digestMax, TextWriter log) =>
        await RunAsync($"storm, {SettingNames.SlackDigestMax} {digestMax}", dbs, options.StormMessages, 1, 1, options.SlackRuns, log,
            new Dictionary<string, string> { [SettingNames.SlackDigestMax] = digestMax.ToString(CultureInfo.InvariantCulture) })
            with { DigestMax = digestMax };

    /// <summary>
    /// Reference §5.1: the single-instance load with one webhook that answers after 9 s (within
    /// <c>SLACK_TIMEOUT_MS</c>), the timer invocation running every second beside the background
    /// sender as on a host with <c>ESC_TICK_MS</c> 1000. Measured over the other webhooks: a slow
    /// webhook must cost them nothing (before the fix, each posted about once per 9 s).
    /// </summary>
    public static Task<SlackSummary> SlowWebhookAsync(BenchDatabases dbs, BenchOptions options, TextWriter log) =>
        RunAsync("one webhook answers after 9 s", dbs, options.SlackMessages, options.SlackWebhooks, 1, options.SlackRuns, log,
            new Dictionary<string, string>(SinglePosts) { [SettingNames.TickMs] = "1000" }, slowWebhooks: 1);

    /// <summary>How long the slow webhooks of <see cref="SlowWebhookAsync"/> take to answer.</summary>
    public static readonly TimeSpan SlowAnswer = TimeSpan.FromSeconds(9);

    /// <summary>
    /// One unmeasured delivery (200 messages over 50 webhooks) before the Slack scenarios, as the tick
    /// part warms up before it measures: the first run in a process otherwise carries the JIT of the
    /// sender, the HTTP client and the stand-in (0.2 s more to its first post).
    /// </summary>
    public static async Task WarmUpAsync(BenchDatabases dbs, TextWriter log)
    {
        log.Write("  slack, warm-up: 200 messages over 50 webhooks (not measured) ... ");
        var run = await RunOnceAsync(dbs, 200, 50, 1, SinglePosts);
        log.WriteLine($"{run.LastDeliverySeconds:F2} s");
    }

    /// <summary>
    /// The pace scenarios measure posts against the limit, so each escalation is its own post: with the
    /// default threshold, ten messages waiting per webhook would go out as one digest each.
    /// </summary>
    private static readonly Dictionary<string, string> SinglePosts = new() { [SettingNames.SlackDigestThreshold] = "1000000" };

    private static async Task<SlackSummary> RunAsync(string scenario, BenchDatabases dbs, int messages, int webhooks, int instances, int count, TextWriter log,
        IReadOnlyDictionary<string, string> extraSettings, int slowWebhooks = 0)
    {
        var runs = new List<SlackRun>();
        for (var i = 0; i < count; i++)
        {
            log.Write($"  slack, {scenario}: {messages:N0} messages over {webhooks} webhooks, run {i + 1}: ");
            ProcessMemory.StartScenario();
            var run = await RunOnceAsync(dbs, messages, webhooks, instances, extraSettings, slowWebhooks);
            runs.Add(run);
            log.WriteLine(run.IsStorm
                ? $"last delivery after {run.LastDeliverySeconds:F2} s in {run.PostsReceived} posts, {run.RateLimited} x 429, {run.Duplicates} duplicates, {run.NotSent} unsent"
                : $"{run.AchievedPerSecond:F1} msg/s ({run.ShareOfCapacity:P1} of {run.CapacityPerSecond:F0}/s), " +
                  $"last delivery after {run.LastDeliverySeconds:F2} s in {run.PostsReceived} posts, {run.RateLimited} x 429, {run.Duplicates} duplicates");
        }
        return new SlackSummary(scenario, runs);
    }

    /// <param name="slowWebhooks">The first this many webhooks answer after <see cref="SlowAnswer"/>; the run then drives the timer
    /// invocation every second, and is measured over the other webhooks only.</param>
    private static async Task<SlackRun> RunOnceAsync(BenchDatabases dbs, int messages, int webhooks, int instances, IReadOnlyDictionary<string, string> extraSettings,
        int slowWebhooks = 0)
    {
        var database = await dbs.CreateMigratedAsync("esc_bench_slack");
        await using var slack = await SlackStandIn.StartAsync();
        slack.EnforcedInterval = Limit;
        using var stopTimer = new CancellationTokenSource();
        var timer = Task.CompletedTask;
        try
        {
            var routes = Enumerable.Range(0, webhooks).Select(w => $"route-{w:D3}").ToArray();
            var slowRoutes = routes.Take(slowWebhooks).ToArray();
            foreach (var route in slowRoutes)
            {
                slack.SetDefault("wh-" + route[6..], Reply.Slow(SlowAnswer));
            }
            var routeWebhooks = JsonSerializer.Serialize(routes.ToDictionary(r => r, r => slack.WebhookUrl("wh-" + r[6..]).AbsoluteUri));
            await dbs.ExecuteAsync(database,
                """
                INSERT INTO incidents (incident_key, route, severity, title, first_seen)
                SELECT 'SLACK-' || lpad(n::text, 5, '0'), (@routes)[n % @webhooks + 1], 'warning', 'Benchmark incident ' || n,
                       now() - interval '16 minutes'
                FROM generate_series(0, @messages - 1) n;
                ANALYZE incidents;
                """,
                ("routes", routes), ("webhooks", webhooks), ("messages", messages));

            var settings = new Dictionary<string, string>(extraSettings) { [SettingNames.SlackRouteWebhooks] = routeWebhooks };
            var engines = Enumerable.Range(0, instances)
                .Select(n => BenchEngine.Create(dbs.ConnectionString(database), settings, instanceId: $"benchmark-{n}"))
                .ToList();
            var engine = engines[0];
            if (engine.Settings.Slack.MinInterval != TimeSpan.FromMilliseconds(1000))
            {
                throw new InvalidOperationException($"SLACK_MIN_INTERVAL_MS is {engine.Settings.Slack.MinInterval.TotalMilliseconds} ms; the benchmark measures the default, 1000 ms");
            }
            foreach (var instance in engines)
            {
                await instance.WarmPoolAsync();
                await instance.StartSenderAsync();
            }

            var started = DateTimeOffset.UtcNow;
            var clock = Stopwatch.StartNew();
            var tick = await engine.Ticker.TickAsync();
            if (tick.Escalations != messages)
            {
                throw new InvalidOperationException($"the tick escalated {tick.Escalations}, expected {messages}");
            }

            if (slowWebhooks > 0)
            {
                timer = RunTimerAsync(engine, stopTimer.Token);
            }

            long pending;
            while (true)
            {
                pending = await dbs.ScalarAsync<long>(database, "SELECT count(*) FROM notification_outbox WHERE status <> 'sent' AND route <> ALL(@slow)",
                    ("slow", slowRoutes));
                if (pending == 0 || clock.Elapsed > GiveUpAfter)
                {
                    break;
                }
                await Task.Delay(100);
            }
            var finished = clock.Elapsed;
            await stopTimer.CancelAsync();
            await timer;
            var failuresMetric = engines.Sum(e => e.Metrics.Sum(MetricNames.SlackSendFailures));
            foreach (var instance in engines)
            {
                await instance.DisposeAsync(); // stops the sender: nothing more is posted
            }

            var slowNames = slowRoutes.Select(r => "wh-" + r[6..]).ToHashSet();
            var posts = slack.Posts.Where(p => !slowNames.Contains(p.Webhook)).ToList();
            messages -= (int)await dbs.ScalarAsync<long>(database, "SELECT count(*) FROM notification_outbox WHERE route = ANY(@slow)", ("slow", slowRoutes));
            webhooks -= slowWebhooks;
            var accepted = posts.Where(p => p.Accepted).ToList();
            // Escalations, not posts: a digest delivers each of its members.
            var delivered = accepted.SelectMany(p => p.MemberKeys).ToList();
            var distinct = delivered.Distinct().Count();
            var lastAccepted = accepted.Count > 0 ? accepted.Max(p => p.At) : started;
            var perWebhookDone = accepted.GroupBy(p => p.Webhook).Select(g => (g.Max(p => p.At) - started).TotalSeconds).OrderBy(s => s).ToArray();
            var acceptedGaps = accepted.GroupBy(p => p.Webhook)
                .SelectMany(g => g.OrderBy(p => p.At).Zip(g.OrderBy(p => p.At).Skip(1), (a, b) => (b.At - a.At).TotalMilliseconds))
                .ToArray();
            var minGapMs = acceptedGaps.DefaultIfEmpty(double.NaN).Min();
            // How early the refused posts were: the gap to the last accepted post to the same webhook.
            var refusedGaps = posts.GroupBy(p => p.Webhook).SelectMany(g =>
            {
                DateTimeOffset? last = null;
                var gaps = new List<double>();
                foreach (var p in g.OrderBy(p => p.At))
                {
                    if (p.Accepted)
                    {
                        last = p.At;
                    }
                    else if (p.Reply.Kind == ReplyKind.RateLimited && last is { } l)
                    {
                        gaps.Add((p.At - l).TotalMilliseconds);
                    }
                }
                return gaps;
            }).ToArray();
            var attempts = await dbs.ScalarAsync<long>(database, "SELECT coalesce(sum(attempts), 0) FROM notification_outbox");
            var rateLimitedWebhooks = posts.Where(p => p.Reply.Kind == ReplyKind.RateLimited).Select(p => p.Webhook).Distinct().Count();

            return new SlackRun(
                Messages: messages,
                Webhooks: webhooks,
                Instances: instances,
                LimitSeconds: Limit.TotalSeconds,
                TickMs: tick.DurationMs,
                PostsReceived: posts.Count,
                Accepted: accepted.Count,
                DistinctDelivered: distinct,
                Duplicates: delivered.Count - distinct,
                RateLimited: posts.Count(p => p.Reply.Kind == ReplyKind.RateLimited),
                RateLimitedWebhooks: rateLimitedWebhooks,
                OtherFailures: posts.Count(p => p.Reply.Kind is ReplyKind.Status or ReplyKind.Hang),
                NotSent: pending,
                FailureMetric: failuresMetric,
                Attempts: attempts,
                FirstDeliverySeconds: accepted.Count > 0 ? (accepted.Min(p => p.At) - started).TotalSeconds : double.NaN,
                LastDeliverySeconds: (lastAccepted - started).TotalSeconds,
                MedianWebhookDoneSeconds: perWebhookDone.Length > 0 ? Stats.Median(perWebhookDone) : double.NaN,
                OutboxDrainedSeconds: finished.TotalSeconds,
                MinAcceptedGapMs: minGapMs,
                MedianAcceptedGapMs: acceptedGaps.Length > 0 ? Stats.Median(acceptedGaps) : double.NaN,
                MaxAcceptedGapMs: acceptedGaps.DefaultIfEmpty(double.NaN).Max(),
                LatestFirstDeliverySeconds: accepted.GroupBy(p => p.Webhook).Select(g => (g.Min(p => p.At) - started).TotalSeconds).DefaultIfEmpty(double.NaN).Max(),
                RefusedGapMedianMs: refusedGaps.Length > 0 ? Stats.Median(refusedGaps) : double.NaN);
        }
        finally
        {
            await stopTimer.CancelAsync();
            await timer;
            await dbs.DropAsync(database);
        }
    }

    /// <summary>The timer invocation every second, as the plain host's timer runs it (a long one delays the next).</summary>
    private static async Task RunTimerAsync(InProcessEngine engine, CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var started = Stopwatch.StartNew();
                await engine.Cycle.RunAsync(stop);
                var rest = TimeSpan.FromSeconds(1) - started.Elapsed;
                if (rest > TimeSpan.Zero)
                {
                    await Task.Delay(rest, stop);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }
}

/// <param name="LastDeliverySeconds">From the start of the tick to the last accepted post, on the stand-in's clock.</param>
/// <param name="MinAcceptedGapMs">The closest two accepted posts to one webhook came (the limit: at least 1000).</param>
/// <param name="MedianAcceptedGapMs">The usual time between two accepted posts to one webhook: the interval plus what pacing costs.</param>
/// <param name="MaxAcceptedGapMs">The longest time between two accepted posts to one webhook.</param>
/// <param name="LatestFirstDeliverySeconds">When the last webhook to get its first message got it, from the start of the tick.</param>
/// <param name="RefusedGapMedianMs">How soon after the last accepted post to its webhook a refused (429) post arrived, median.</param>
public sealed record SlackRun(
    int Messages,
    int Webhooks,
    int Instances,
    double LimitSeconds,
    double TickMs,
    int PostsReceived,
    int Accepted,
    int DistinctDelivered,
    int Duplicates,
    int RateLimited,
    int RateLimitedWebhooks,
    int OtherFailures,
    long NotSent,
    double FailureMetric,
    long Attempts,
    double FirstDeliverySeconds,
    double LastDeliverySeconds,
    double MedianWebhookDoneSeconds,
    double OutboxDrainedSeconds,
    double MinAcceptedGapMs,
    double MedianAcceptedGapMs,
    double MaxAcceptedGapMs,
    double LatestFirstDeliverySeconds,
    double RefusedGapMedianMs)
{
    /// <summary>A storm on one webhook: measured by time to the last delivery and posts, not by share of capacity.</summary>
    [JsonIgnore]
    public bool IsStorm => Webhooks == 1 && Messages > 1;

    /// <summary>What the limit allows across all webhooks: one message per webhook per <see cref="LimitSeconds"/>.</summary>
    public double CapacityPerSecond => Webhooks / LimitSeconds;

    /// <summary>
    /// Delivered messages over the time the limit charges for them: from the start of the tick to the
    /// last accepted post, plus the one interval that post occupies. A sender that posts every webhook's
    /// k messages exactly one interval apart, starting at once, scores exactly the capacity.
    /// </summary>
    public double AchievedPerSecond => DistinctDelivered / (LastDeliverySeconds + LimitSeconds);

    public double ShareOfCapacity => AchievedPerSecond / CapacityPerSecond;

    /// <summary>The least time the limit allows for the last message: (messages per webhook − 1) intervals.</summary>
    public double IdealLastDeliverySeconds => (Math.Ceiling((double)Messages / Webhooks) - 1) * LimitSeconds;
}

/// <param name="DigestMax">The storm scenarios' <c>SLACK_DIGEST_MAX</c>; null for the pace scenarios (single posts).</param>
public sealed record SlackSummary(string Scenario, List<SlackRun> Runs, int? DigestMax = null)
{
    /// <summary>A storm on one webhook (see <see cref="SlackRun.IsStorm"/>).</summary>
    public bool IsStorm => Runs.Count > 0 && Runs[0].IsStorm;

    /// <summary>The run with the median achieved rate.</summary>
    public SlackRun Median => Runs.OrderBy(r => r.AchievedPerSecond).ElementAt(Runs.Count / 2);
    public int TotalDuplicates => Runs.Sum(r => r.Duplicates);
    public int TotalRateLimited => Runs.Sum(r => r.RateLimited);
}
