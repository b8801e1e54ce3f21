using System.Diagnostics;
using EscalationFunctions.Benchmarks;
using EscalationFunctions.Testing;

// How fast the tick is against table size and against a per-row baseline, and how close
// Slack delivery gets to the webhook limit. Prints a table, writes JSON and CSV, and (with --docs)
// the figures section of docs/performance.md. Run it with scripts/benchmark.sh.

if (BenchCommandLine.Read(args, out var options) is { } exitCode)
{
    return exitCode;
}
if (Environment.GetEnvironmentVariable(BenchOptions.CheckOnlyVariable) == "1")
{
    return 0; // scripts/benchmark.sh checks the options this way before it starts PostgreSQL
}

var log = Console.Out;
var clock = Stopwatch.StartNew();
var startedAt = DateTimeOffset.UtcNow;

var quietChecks = options.WaitQuiet ? await MachineInfo.WaitForQuietAsync(options.QuietLoad, options.QuietTries, log) : 0;
var loadAtStart = MachineInfo.LoadAverage();

log.WriteLine("== PostgreSQL");
var admin = await PostgresCluster.AdminConnectionStringAsync();
var machine = await MachineInfo.CollectAsync(admin, loadAtStart, quietChecks);
log.WriteLine($"   PostgreSQL {machine.PostgresVersion}, {string.Join(", ", machine.PostgresSettings.Select(kv => $"{kv.Key}={kv.Value}"))}");

BenchEngine.BatchSize = options.BatchSize;
var report = new Report
{
    StartedAt = startedAt,
    Command = Environment.GetEnvironmentVariable("ESC_BENCH_COMMAND") ?? $"dotnet run -c Release --project EscalationFunctions.Benchmarks -- {string.Join(' ', args)}",
    Quick = options.Quick,
    Machine = machine,
    BatchSize = BenchEngine.ReadSettings(admin).Tick.BatchSize,
};

var dbs = new BenchDatabases(admin);
var templates = new Templates(dbs, log, options.KeepTemplates);
try
{
    // JIT and first-use costs (settings parsing, Npgsql type loading, the tick's code paths) are paid
    // here, untimed, so they do not land on the first measured tick.
    log.WriteLine("== warm-up");
    var (warmTemplate, _) = await templates.GetAsync(1_000, 100, Layout.Recent);
    for (var i = 0; i < 3; i++)
    {
        await TickBenchmark.TimeOneTickAsync(dbs, warmTemplate, 100, prewarm: i % 2 == 0);
    }
    await templates.DropExceptAsync();

    if (options.Only.Contains("tick"))
    {
        log.WriteLine("== 1. tick versus table size");
        report.Ticks.AddRange(await TickBenchmark.RunAsync(dbs, templates, options, log));
        await templates.DropExceptAsync((options.CompareTotal, options.CompareDue, Layout.Recent));
    }
    if (options.Only.Contains("compare"))
    {
        log.WriteLine("== 2. set-based tick versus per-row baseline");
        report.Compare = await CompareBenchmark.RunAsync(dbs, templates, options, log);
    }
    await templates.DropExceptAsync();
    if (options.Only.Overlaps(["slack", "slack-slow", "slack-scaleout", "slack-storm"]))
    {
        log.WriteLine("== Slack warm-up");
        await SlackBenchmark.WarmUpAsync(dbs, log);
    }
    if (options.Only.Contains("slack"))
    {
        log.WriteLine("== 3. Slack delivery, single instance");
        report.Slack = await SlackBenchmark.SingleInstanceAsync(dbs, options, log);
    }
    if (options.Only.Contains("slack-slow"))
    {
        log.WriteLine("== 3b. Slack delivery, one webhook answering after 9 s, timer every second");
        report.SlackSlowWebhook = await SlackBenchmark.SlowWebhookAsync(dbs, options, log);
    }
    if (options.Only.Contains("slack-scaleout"))
    {
        log.WriteLine($"== 4. Slack delivery, {options.SlackInstances} instances");
        report.SlackScaleOut = await SlackBenchmark.ScaleOutAsync(dbs, options, log);
    }
    if (options.Only.Contains("slack-app"))
    {
        log.WriteLine("== 6. Slack app mode: pages in channels, rewrites after acknowledgements");
        report.SlackApp = await SlackAppBenchmark.RunAsync(dbs, options, log);
    }
    if (options.Only.Contains("slack-storm"))
    {
        log.WriteLine("== 5. Slack delivery, storm on one webhook");
        report.SlackStorm = await SlackBenchmark.StormAsync(dbs, options, log);
        if (options.StormDigestMax is { } digestMax)
        {
            report.SlackStormOtherDigest = await SlackBenchmark.StormWithDigestMaxAsync(dbs, options, digestMax, log);
        }
    }
}
finally
{
    await templates.DropExceptAsync();
    await dbs.DropAllAsync();
}

machine.LoadAtEnd = MachineInfo.LoadAverage();
report.DurationSeconds = clock.Elapsed.TotalSeconds;
log.Write(report.Table());

var outDir = options.OutputDirectory ?? Path.Combine(RepoPaths.Root, "benchmark-results");
Directory.CreateDirectory(outDir);
var stem = options.Quick ? "quick" : options.Partial ? "partial" : "latest";
await File.WriteAllTextAsync(Path.Combine(outDir, $"{stem}.json"), report.Json());
await File.WriteAllTextAsync(Path.Combine(outDir, $"{stem}.csv"), report.Csv());
log.WriteLine($"Figures written to {Path.Combine(outDir, stem)}.json and .csv");

if (options.DocsPath is { } docs)
{
    var path = Path.IsPathRooted(docs) ? docs : Path.Combine(RepoPaths.Root, docs);
    var text = await File.ReadAllTextAsync(path);
    await File.WriteAllTextAsync(path, Report.ReplaceDocsSection(text, report.Markdown()));
    log.WriteLine($"Figures section of {path} updated");
}
return 0;
