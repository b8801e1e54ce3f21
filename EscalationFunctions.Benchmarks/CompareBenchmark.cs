namespace EscalationFunctions.Benchmarks;

/// <summary>
/// Part 2: the same due incidents escalated by the engine's set-based tick and by the per-row
/// baseline, alternately, each on a fresh copy of the same template, in one run; both warm (the
/// database read into shared buffers through the connection(s) that then do the work).
/// </summary>
public static class CompareBenchmark
{
    public static async Task<Comparison> RunAsync(BenchDatabases dbs, Templates templates, BenchOptions options, TextWriter log)
    {
        var (template, seed) = await templates.GetAsync(options.CompareTotal, options.CompareDue, Layout.Recent);
        log.Write($"  compare: {options.CompareDue:N0} due of {options.CompareTotal:N0}:");
        ProcessMemory.StartScenario();
        var ticks = new List<TickRun>();
        var baselines = new List<BaselineRun>();
        for (var rep = 0; rep < options.CompareRepetitions; rep++)
        {
            var tick = await TickBenchmark.TimeOneTickAsync(dbs, template, options.CompareDue, prewarm: true);
            ticks.Add(tick);
            log.Write($" tick {tick.Ms:F0} ms,");

            var copy = await dbs.CopyAsync(template, "esc_bench_run");
            try
            {
                var baseline = await PerRowBaseline.RunAsync(dbs.ConnectionString(copy), prewarm: true);
                if (baseline.Escalations != options.CompareDue)
                {
                    throw new InvalidOperationException($"the per-row baseline escalated {baseline.Escalations}, expected {options.CompareDue}");
                }
                var raised = await dbs.ScalarAsync<long>(copy, "SELECT count(*) FROM incidents WHERE escalation_level = 1 AND last_escalated_at > now() - interval '10 minutes'");
                if (raised != options.CompareDue)
                {
                    throw new InvalidOperationException($"the per-row baseline raised {raised} incidents, expected {options.CompareDue}");
                }
                baselines.Add(baseline);
                log.Write($" per-row {baseline.Ms:F0} ms;");
            }
            finally
            {
                await dbs.DropAsync(copy);
            }
        }
        var comparison = new Comparison(options.CompareTotal, options.CompareDue, seed, ticks, baselines, ProcessMemory.PeakResidentBytes());
        log.WriteLine($" -> {comparison.Ratio:F1}x");
        return comparison;
    }
}

public sealed record Comparison(int Total, int Due, SeedInfo Seed, List<TickRun> Ticks, List<BaselineRun> Baselines, long PeakRssBytes)
{
    public double TickMedianMs => Stats.Median(Ticks.Select(t => t.Ms));
    public double BaselineMedianMs => Stats.Median(Baselines.Select(b => b.Ms));
    public double Ratio => BaselineMedianMs / TickMedianMs;
    public int BaselineRoundTrips => Baselines[0].RoundTrips;
}
