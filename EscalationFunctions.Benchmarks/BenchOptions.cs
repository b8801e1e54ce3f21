namespace EscalationFunctions.Benchmarks;

/// <summary>The command line. Defaults are the sizes docs/performance.md reports; <c>--quick</c> shrinks them to try the program out.</summary>
public sealed record BenchOptions
{
    public bool Quick { get; init; }

    /// <summary>True when any size or part differs from the defaults: the results are then not "latest".</summary>
    public bool Partial { get; init; }

    /// <summary>Total incidents per tick scenario.</summary>
    public int[] Totals { get; init; } = [10_000, 100_000, 1_000_000];

    /// <summary>Due incidents per tick scenario (each combined with every total it fits in).</summary>
    public int[] Dues { get; init; } = [1_000, 10_000];

    /// <summary>Where the due incidents sit (each layout with every size).</summary>
    public Layout[] Layouts { get; init; } = [Layout.Recent, Layout.Scattered];

    /// <summary>Timed warm ticks per scenario; the median is reported.</summary>
    public int Repetitions { get; init; } = 5;

    /// <summary>Cold ticks per scenario (shown for comparison, alternating with the first warm ones).</summary>
    public int ColdRepetitions => Math.Min(Repetitions, 3);

    /// <summary>The set-based versus per-row comparison: table size, due count, pairs of runs.</summary>
    public int CompareTotal { get; init; } = 1_000_000;
    public int CompareDue { get; init; } = 10_000;
    public int CompareRepetitions { get; init; } = 3;

    /// <summary>Slack delivery: notifications, webhooks, runs (median reported).</summary>
    public int SlackMessages { get; init; } = 1_000;

    /// <summary>Slack app mode (part slack-app): pages over as many channels, and how many incidents are acknowledged during delivery.</summary>
    public int SlackAppPages { get; init; } = 1_000;
    public int SlackAppChannels { get; init; } = 100;
    public int SlackAppAcks { get; init; } = 300;
    public int SlackWebhooks { get; init; } = 100;
    public int SlackRuns { get; init; } = 3;

    /// <summary>Instances sharing the webhooks in the scale-out scenario (reference §5.1).</summary>
    public int SlackInstances { get; init; } = 4;

    /// <summary>Escalations for a single webhook in the storm scenario (reference §5.2).</summary>
    public int StormMessages { get; init; } = 1_000;

    /// <summary>
    /// <c>SLACK_DIGEST_MAX</c> for a second storm scenario, to compare with the first, which runs at the
    /// defaults (40 since spec 1.2); null: no second scenario.
    /// </summary>
    public int? StormDigestMax { get; init; }

    public static readonly string[] Parts = ["tick", "compare", "slack", "slack-slow", "slack-scaleout", "slack-storm", "slack-app"];

    public HashSet<string> Only { get; init; } = [.. Parts];

    /// <summary><c>ESC_BATCH_SIZE</c> for the engine; null keeps the engine's default.</summary>
    public int? BatchSize { get; init; }
    public string? OutputDirectory { get; init; }
    public string? DocsPath { get; init; }
    public bool WaitQuiet { get; init; }

    /// <summary>Leave the seeded templates in the server afterwards, to look at plans with EXPLAIN.</summary>
    public bool KeepTemplates { get; init; }
    public double QuietLoad { get; init; } = 0.5;
    public int QuietTries { get; init; } = 20;

    public const string Usage =
        """
        usage: EscalationFunctions.Benchmarks [--quick] [--only tick,compare,slack,slack-slow,slack-scaleout,slack-storm,slack-app] [--reps N]
                                              [--out DIR] [--docs docs/performance.md] [--wait-quiet]

          --quick        small sizes (10k and 100k incidents, 3 repetitions, one Slack run): a try-out, ~2 min
          --only LIST    run only these parts (tick, compare, slack, slack-slow, slack-scaleout, slack-storm, slack-app)
          --reps N       timed warm ticks per tick scenario (default 5; the median is reported; 3 cold ones too)
          --layouts L    where the due incidents sit: recent (the last arrivals), scattered (all over); default both
          --totals LIST  incidents per tick scenario (default 10000,100000,1000000)
          --dues LIST    due incidents per tick scenario (default 1000,10000; each must divide the total)
          --compare T,D  the set-based versus per-row comparison on T incidents, D due (default 1000000,10000)
          --slack-runs N Slack delivery runs per scenario (default 3; the median run is reported)
          --slack MSG,HOOKS  Slack delivery: messages over webhooks (default 1000,100), single instance and scale-out
          --slack-instances N  instances in the scale-out scenario (default 4)
          --storm N      escalations for one webhook in the storm scenario (default 1000)
          --storm-digest-max N  also run the storm with SLACK_DIGEST_MAX N (e.g. 20, the default before spec 1.2);
                                the storm always runs at the defaults (40), where its 30 s goal is measured
          --slack-app P,C,A  Slack app mode: P pages over C channels, A acknowledged during delivery (default 1000,100,300)
          --batch-size N ESC_BATCH_SIZE for the tick (default: the engine's default)
          --out DIR      where the JSON and CSV results go (default: benchmark-results/ in the repository)
          --docs FILE    rewrite the figures section of FILE (between the benchmark markers) from this run
          --keep-templates  leave the seeded template databases (esc_bench_tpl_*) in the server, for EXPLAIN
          --wait-quiet   before measuring, wait until the 1-minute load average is below 0.5
                         (checked every 60 s, at most 20 times); the load is recorded either way

        PostgreSQL: ESC_TEST_POSTGRES (an admin connection string) names a running server; otherwise a
        throwaway cluster is started with scripts/postgres.sh. scripts/benchmark.sh does all of this.
        """;

    /// <summary>Set to <c>1</c>: parse the options (exit 2 on a mistake) and exit 0 without running.</summary>
    public const string CheckOnlyVariable = "ESC_BENCH_CHECK_ONLY";
}
