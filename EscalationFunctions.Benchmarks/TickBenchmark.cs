using System.Diagnostics;
using EscalationFunctions.Engine.Tick;

namespace EscalationFunctions.Benchmarks;

/// <summary>
/// Part 1: the real tick (<see cref="EscalationTicker.TickAsync"/>, default batch size) against table
/// size. Each repetition runs on a fresh file copy of the scenario's template with a fresh engine
/// whose pool already holds its connections; only <c>TickAsync</c> is timed. Every repetition is done
/// in two ways, alternately: <b>warm</b>, the steady state of a worker that ticks every minute (the
/// database read into shared buffers through the engine's own pooled connections first), and
/// <b>cold</b>, the first tick after a restart (nothing in shared buffers, new server processes;
/// pages come from the operating system's file cache).
/// </summary>
public static class TickBenchmark
{
    public static async Task<List<TickScenario>> RunAsync(BenchDatabases dbs, Templates templates, BenchOptions options, TextWriter log)
    {
        var scenarios = new List<TickScenario>();
        var plan = from layout in options.Layouts
                   from total in options.Totals
                   from due in options.Dues
                   where due <= total
                   select (layout, total, due);
        foreach (var (layout, total, due) in plan)
        {
            var (template, seed) = await templates.GetAsync(total, due, layout);
            log.Write($"  tick, {layout.ToString().ToLowerInvariant()}: {due,6:N0} due of {total,9:N0}, warm/cold ms:");
            ProcessMemory.StartScenario();
            var warm = new List<TickRun>();
            var cold = new List<TickRun>();
            for (var rep = 0; rep < options.Repetitions; rep++)
            {
                var w = await TimeOneTickAsync(dbs, template, due, prewarm: true);
                warm.Add(w);
                log.Write($" {w.Ms:F0}");
                if (rep < options.ColdRepetitions)
                {
                    var c = await TimeOneTickAsync(dbs, template, due, prewarm: false);
                    cold.Add(c);
                    log.Write($"/{c.Ms:F0}");
                }
            }
            var scenario = new TickScenario(total, due, seed, warm, cold, ProcessMemory.PeakResidentBytes(), ProcessMemory.PeakWasReset);
            log.WriteLine($" -> median {scenario.MedianMs:F0} ms warm ({scenario.PerEscalationUs:F1} µs/escalation), {scenario.ColdMedianMs:F0} ms cold, peak RSS {scenario.PeakRssBytes / 1048576.0:F0} MiB");
            scenarios.Add(scenario);
            // Its pages would only compete with the next scenario's for the buffer cache.
            await templates.DropExceptAsync((options.CompareTotal, options.CompareDue, Layout.Recent));
        }
        return scenarios;
    }

    /// <summary>One timed tick on a fresh copy of <paramref name="template"/>; checks it escalated exactly the due rows.</summary>
    public static async Task<TickRun> TimeOneTickAsync(BenchDatabases dbs, string template, int due, bool prewarm)
    {
        var copy = await dbs.CopyAsync(template, "esc_bench_run");
        try
        {
            await using var engine = BenchEngine.Create(dbs.ConnectionString(copy));
            await engine.WarmPoolAsync(prewarm: prewarm);

            var allocatedBefore = ProcessMemory.AllocatedBytes();
            var stopwatch = Stopwatch.StartNew();
            var result = await engine.Ticker.TickAsync();
            stopwatch.Stop();
            var allocated = ProcessMemory.AllocatedBytes() - allocatedBefore;

            if (result.Outcome != TickOutcome.Ran || result.Escalations != due || result.SkippedIdempotent != 0 || result.Recalculated != 0)
            {
                throw new InvalidOperationException(
                    $"the tick on {copy} did not do what the scenario needs: outcome {result.Outcome}, {result.Escalations} escalations " +
                    $"(expected {due}), {result.SkippedIdempotent} skipped, {result.Recalculated} recalculated");
            }
            var queued = await dbs.ScalarAsync<long>(copy, "SELECT count(*) FROM notification_outbox WHERE status = 'pending'");
            if (queued != due)
            {
                throw new InvalidOperationException($"the tick on {copy} queued {queued} Slack messages, expected {due}");
            }
            return new TickRun(stopwatch.Elapsed.TotalMilliseconds, result.Escalations, result.Batches, allocated);
        }
        finally
        {
            await dbs.DropAsync(copy);
        }
    }
}

public sealed record TickRun(double Ms, int Escalations, int Batches, long AllocatedBytes);

/// <param name="Runs">The warm ticks (the figures the targets are judged on).</param>
/// <param name="ColdRuns">The cold ticks, for comparison.</param>
public sealed record TickScenario(int Total, int Due, SeedInfo Seed, List<TickRun> Runs, List<TickRun> ColdRuns, long PeakRssBytes, bool PeakRssPerScenario)
{
    public Layout Layout => Seed.Layout;
    public double MedianMs => Stats.Median(Runs.Select(r => r.Ms));
    public double MinMs => Runs.Min(r => r.Ms);
    public double MaxMs => Runs.Max(r => r.Ms);
    public double ColdMedianMs => Stats.Median(ColdRuns.Select(r => r.Ms));
    public double PerEscalationUs => MedianMs * 1000 / Due;
    public double MedianAllocatedBytes => Stats.Median(Runs.Select(r => (double)r.AllocatedBytes));
    public int Batches => Runs[0].Batches;
}

public static class Stats
{
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
