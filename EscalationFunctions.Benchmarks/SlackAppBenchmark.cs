using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Testing;

namespace EscalationFunctions.Benchmarks;

/// <summary>
/// Part 6: Slack app mode (reference §10). One tick escalates <c>--slack-app</c> pages over as many
/// routes, each with its own channel on a <see cref="SlackWebApiStandIn"/> that answers 429 to a call
/// less than <see cref="SlackBenchmark.Limit"/> after the last one it took in that channel. While they
/// are delivered, a share of the incidents is acknowledged (plain SQL, at an even pace from the first
/// post on); the timer invocation runs every <see cref="TickEvery"/> as on a host with that
/// <c>ESC_TICK_MS</c>, and each tick queues the rewrites of the acknowledged incidents' messages. Measured:
/// calls per second against the channels' capacity (pages and rewrites share it), the rewrites
/// delivered against those owed, and the time from each acknowledgement to its message's rewrite (at
/// most a tick, then the channel's pages waiting before it).
/// </summary>
public static class SlackAppBenchmark
{
    /// <summary>The timer's period here (<c>ESC_TICK_MS</c>): a rewrite waits for the next tick, then for its channel's pages.</summary>
    public static readonly TimeSpan TickEvery = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromMinutes(3);

    public static async Task<SlackAppRun> RunAsync(BenchDatabases dbs, BenchOptions options, TextWriter log)
    {
        var (pages, channels, acks) = (options.SlackAppPages, options.SlackAppChannels, options.SlackAppAcks);
        log.Write($"  slack app mode: {pages:N0} pages over {channels} channels, {acks} acknowledged during delivery: ");
        var database = await dbs.CreateMigratedAsync("esc_bench_slack_app");
        await using var api = await SlackWebApiStandIn.StartAsync();
        api.EnforcedInterval = SlackBenchmark.Limit;
        using var stop = new CancellationTokenSource();
        var timer = Task.CompletedTask;
        try
        {
            var routes = Enumerable.Range(0, channels).ToDictionary(c => $"route-{c:D3}", c => $"C0BENCH{c:D3}");
            foreach (var channel in routes.Values)
            {
                api.AddChannel(channel);
            }
            await dbs.ExecuteAsync(database,
                """
                INSERT INTO incidents (incident_key, route, severity, title, first_seen)
                SELECT 'APP-' || lpad(n::text, 5, '0'), (@routes)[n % @channels + 1], 'warning', 'Benchmark incident ' || n, now() - interval '16 minutes'
                FROM generate_series(0, @pages - 1) n;
                ANALYZE incidents;
                """, ("routes", routes.Keys.ToArray()), ("channels", channels), ("pages", pages));
            await using var engine = BenchEngine.Create(dbs.ConnectionString(database), new Dictionary<string, string>
            {
                [SettingNames.SlackBotToken] = SlackWebApiStandIn.DefaultToken,
                [SettingNames.SlackApiBaseUrl] = api.ApiBaseUrl.AbsoluteUri,
                [SettingNames.SlackRouteChannels] = JsonSerializer.Serialize(routes),
                [SettingNames.SlackChannel] = routes.Values.First(),
                [SettingNames.SlackDigestThreshold] = "1000000", // pages one by one: calls are measured against the limit
                [SettingNames.TickMs] = ((int)TickEvery.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
            });
            await engine.WarmPoolAsync();
            await engine.StartSenderAsync();

            var started = DateTimeOffset.UtcNow;
            var clock = Stopwatch.StartNew();
            await engine.Cycle.RunAsync(CancellationToken.None);
            timer = RunTimerAsync(engine, stop.Token);

            // Acknowledge from the first post on, spread over the time the pages take at the limit.
            while (api.Calls.Count == 0 && clock.Elapsed < GiveUpAfter)
            {
                await Task.Delay(20);
            }
            var shuffled = Enumerable.Range(0, pages).Select(n => $"APP-{n:D5}").ToArray();
            new Random(20261204).Shuffle(shuffled); // the same incidents every run
            var keys = shuffled.Take(acks).ToList();
            var spread = SlackBenchmark.Limit * Math.Ceiling((double)pages / channels) * 0.8;
            var ackedAt = new Dictionary<string, DateTimeOffset>();
            for (var i = 0; i < keys.Count; i++)
            {
                var due = spread * i / keys.Count;
                if (clock.Elapsed - (api.Calls[0].At - started) < due)
                {
                    await Task.Delay(due - (clock.Elapsed - (api.Calls[0].At - started)));
                }
                await dbs.ExecuteAsync(database, "UPDATE incidents SET acknowledged_at = now(), acknowledged_by = 'benchmark' WHERE incident_key = @k", ("k", keys[i]));
                ackedAt[keys[i]] = DateTimeOffset.UtcNow;
            }

            long owed;
            while (true)
            {
                owed = await dbs.ScalarAsync<long>(database,
                    """
                    SELECT (SELECT count(*) FROM notification_outbox WHERE status = 'pending')
                         + (SELECT count(*) FROM slack_message_incidents mi JOIN incidents i USING (incident_key)
                            WHERE mi.shown_as = 'open' AND i.acknowledged_at IS NOT NULL)
                    """);
                if (owed == 0 || clock.Elapsed > GiveUpAfter)
                {
                    break;
                }
                await Task.Delay(100);
            }
            await stop.CancelAsync();
            await timer;

            var calls = api.Calls;
            var ok = calls.Where(c => c.Ok).ToList();
            var posts = ok.Where(c => c.Method == SlackWebApiStandIn.ChatPostMessage).ToList();
            var updates = ok.Where(c => c.Method == SlackWebApiStandIn.ChatUpdate).ToList();
            var messages = routes.Values.SelectMany(api.Messages).ToList();
            var incidentOf = (await QueryPairsAsync(dbs, database)).ToDictionary(p => p.Dedup, p => p.Key);
            var owedRewrites = messages.Where(m => ackedAt.ContainsKey(incidentOf[m.DedupKeys[0]])).ToList();
            var lags = owedRewrites.Where(m => m.Updates > 0)
                .Select(m => (updates.First(u => u.Channel == m.Channel && u.Json.GetProperty("ts").GetString() == m.Ts).At - ackedAt[incidentOf[m.DedupKeys[0]]]).TotalSeconds)
                .Order().ToArray();
            var keysPosted = posts.SelectMany(p => p.DedupKeys).ToList();
            var last = ok.Count > 0 ? ok.Max(c => c.At) : started;
            // The pace is measured while pages wait: up to the last page, every call (page or rewrite) uses a channel's slot.
            // After it, rewrites come only as ticks queue them, so the time between says nothing of the pace.
            var lastPage = posts.Count > 0 ? posts.Max(c => c.At) : started;
            var callsUpToLastPage = ok.Count(c => c.At <= lastPage);
            // Each channel's own pace while it had pages: acknowledgements leave channels with different amounts of work,
            // so the whole run's rate is bounded by the busiest channel, not by the pace kept.
            var channelShares = ok.GroupBy(c => c.Channel).Select(g =>
            {
                var channelLastPage = g.Where(c => c.Method == SlackWebApiStandIn.ChatPostMessage).Select(c => c.At).DefaultIfEmpty(started).Max();
                return g.Count(c => c.At <= channelLastPage) / ((channelLastPage - started).TotalSeconds + SlackBenchmark.Limit.TotalSeconds) * SlackBenchmark.Limit.TotalSeconds;
            }).ToArray();
            var run = new SlackAppRun(
                Pages: pages,
                Channels: channels,
                Acknowledged: acks,
                TickSeconds: TickEvery.TotalSeconds,
                PagesPosted: posts.Count,
                PagesSuperseded: await dbs.ScalarAsync<long>(database, "SELECT count(*) FROM notification_outbox WHERE kind = 'page' AND status = 'superseded'"),
                RewritesOwed: owedRewrites.Count,
                RewritesDelivered: owedRewrites.Count(m => m.Updates > 0),
                RewriteCalls: updates.Count,
                Duplicates: keysPosted.Count - keysPosted.Distinct().Count(),
                RateLimited: calls.Count(c => c.HttpStatus == 429 || c.Error == "ratelimited"),
                OtherErrors: calls.Count(c => !c.Ok && c.HttpStatus != 429 && c.Error != "ratelimited"),
                NotDone: owed,
                LastCallSeconds: (last - started).TotalSeconds,
                CallsPerSecond: callsUpToLastPage / ((lastPage - started).TotalSeconds + SlackBenchmark.Limit.TotalSeconds),
                CapacityPerSecond: channels / SlackBenchmark.Limit.TotalSeconds,
                LagMedianSeconds: lags.Length > 0 ? Stats.Median(lags) : double.NaN,
                LagMaxSeconds: lags.Length > 0 ? lags[^1] : double.NaN,
                ChannelPaceShare: channelShares.Length > 0 ? channelShares.Average() : double.NaN);
            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{run.CallsPerSecond:F1} calls/s ({run.ShareOfCapacity:P1} of {run.CapacityPerSecond:F0}/s; each channel's pace {run.ChannelPaceShare:P1} of 1/s), {run.PagesPosted} pages, {run.PagesSuperseded} superseded, {run.RewritesDelivered}/{run.RewritesOwed} rewrites, ack to rewrite median {run.LagMedianSeconds:F1} s max {run.LagMaxSeconds:F1} s, {run.RateLimited} x 429, {run.Duplicates} duplicates"));
            return run;
        }
        finally
        {
            await stop.CancelAsync();
            await timer;
            await dbs.DropAsync(database);
        }
    }

    private static async Task<List<(string Dedup, string Key)>> QueryPairsAsync(BenchDatabases dbs, string database)
    {
        await using var source = Npgsql.NpgsqlDataSource.Create(dbs.ConnectionString(database));
        await using var cmd = source.CreateCommand("SELECT dedup_key, incident_key FROM notification_outbox WHERE kind = 'page'");
        await using var reader = await cmd.ExecuteReaderAsync();
        var pairs = new List<(string, string)>();
        while (await reader.ReadAsync())
        {
            pairs.Add((reader.GetString(0), reader.GetString(1)));
        }
        return pairs;
    }

    private static async Task RunTimerAsync(InProcessEngine engine, CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(TickEvery, stop);
                await engine.Cycle.RunAsync(stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }
}

/// <param name="CallsPerSecond">Calls Slack took (pages and rewrites) from the first tick to the last page, over that time plus the one interval the last page occupies.</param>
/// <param name="ChannelPaceShare">Each channel's calls up to its last page over the time to it (plus one interval), against one call a second; the mean over channels.</param>
/// <param name="LagMedianSeconds">From an acknowledgement to the rewrite of its incident's message, median over the messages owed one.</param>
public sealed record SlackAppRun(
    int Pages,
    int Channels,
    int Acknowledged,
    double TickSeconds,
    int PagesPosted,
    long PagesSuperseded,
    int RewritesOwed,
    int RewritesDelivered,
    int RewriteCalls,
    int Duplicates,
    int RateLimited,
    int OtherErrors,
    long NotDone,
    double LastCallSeconds,
    double CallsPerSecond,
    double CapacityPerSecond,
    double LagMedianSeconds,
    double LagMaxSeconds,
    double ChannelPaceShare)
{
    public double ShareOfCapacity => CallsPerSecond / CapacityPerSecond;
}
