using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace EscalationFunctions.Benchmarks;

/// <summary>
/// The benchmark's command line on System.CommandLine (as the server's, EscalationFunctions.Server/Commands).
/// <c>--help</c> or <c>-h</c> anywhere prints <see cref="BenchOptions.Usage"/> and exits 0; a mistake is
/// one line on stderr naming the option, the value and what is expected, exit 2. An option given
/// explicitly wins over the size <c>--quick</c> sets, wherever it stands on the line.
/// </summary>
public static class BenchCommandLine
{
    /// <summary>
    /// Reads <paramref name="args"/> into <paramref name="options"/>. Null when the program should
    /// go on; otherwise the exit code, after the help or the mistake was printed.
    /// </summary>
    public static int? Read(string[] args, out BenchOptions options)
    {
        options = new BenchOptions();
        var quick = Flag("--quick");
        var only = Parsed("--only", text =>
        {
            var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();
            return parts.Except(BenchOptions.Parts).FirstOrDefault() is { } unknown
                ? throw new ArgumentException($"--only got '{unknown}': expected parts from {string.Join(", ", BenchOptions.Parts)}, separated by commas")
                : parts;
        });
        var reps = Parsed("--reps", text => Numbers(text, "--reps", single: true)[0]);
        var totals = Parsed("--totals", text => Numbers(text, "--totals"));
        var dues = Parsed("--dues", text => Numbers(text, "--dues"));
        var layouts = Parsed("--layouts", text => text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => Enum.TryParse<Layout>(l, ignoreCase: true, out var layout) ? layout : throw new ArgumentException($"--layouts got '{l}': expected recent, scattered or both, separated by commas"))
            .ToArray());
        var compare = Parsed("--compare", text => Numbers(text, "--compare") is { Length: 2 } pair
            ? pair
            : throw new ArgumentException($"--compare got '{string.Join(',', Numbers(text, "--compare"))}': expected TOTAL,DUE, e.g. 1000000,10000"));
        var batchSize = Parsed("--batch-size", text => Numbers(text, "--batch-size", single: true)[0]);
        var slackRuns = Parsed("--slack-runs", text => Numbers(text, "--slack-runs", single: true)[0]);
        var slack = Parsed("--slack", text => Numbers(text, "--slack") is { Length: 2 } sizes
            ? sizes
            : throw new ArgumentException($"--slack got '{string.Join(',', Numbers(text, "--slack"))}': expected MESSAGES,WEBHOOKS, e.g. 1000,100"));
        var slackApp = Parsed("--slack-app", text => Numbers(text, "--slack-app") is { Length: 3 } app && app[2] <= app[0] && app[1] <= app[0]
            ? app
            : throw new ArgumentException($"--slack-app got '{string.Join(',', Numbers(text, "--slack-app"))}': expected PAGES,CHANNELS,ACKS with channels and acks at most the pages, e.g. 1000,100,300"));
        var slackInstances = Parsed("--slack-instances", text => Numbers(text, "--slack-instances", single: true)[0]);
        var storm = Parsed("--storm", text => Numbers(text, "--storm", single: true)[0]);
        var stormDigestMax = Parsed("--storm-digest-max", text => Numbers(text, "--storm-digest-max", single: true)[0]);
        var output = Parsed("--out", text => text);
        var docs = Parsed("--docs", text => text);
        var keepTemplates = Flag("--keep-templates");
        var waitQuiet = Flag("--wait-quiet");
        var help = Flag("--help", "-h");

        var root = new RootCommand
        {
            quick, only, reps, totals, dues, layouts, compare, batchSize, slackRuns, slack, slackApp, slackInstances, storm,
            stormDigestMax, output, docs, keepTemplates, waitQuiet,
        };
        // Only the options above: System.CommandLine's own help (replaced by ours), --version and directives are not the benchmark's.
        root.Options.Clear();
        foreach (var option in new Option[]
                 {
                     quick, only, reps, totals, dues, layouts, compare, batchSize, slackRuns, slack, slackApp, slackInstances, storm,
                     stormDigestMax, output, docs, keepTemplates, waitQuiet, help,
                 })
        {
            root.Options.Add(option);
        }
        root.Directives.Clear();

        var parsed = root.Parse(args);
        if (parsed.Tokens.Any(t => t.Type == TokenType.Option && t.Value is "--help" or "-h"))
        {
            Console.WriteLine(BenchOptions.Usage);
            return 0;
        }
        if (parsed.Errors.Count > 0)
        {
            // One line: what is wrong with which option; --help has the rest.
            Console.Error.WriteLine($"benchmark: {Mistake(parsed)} (--help lists the options)");
            return 2;
        }

        bool Given(Option option) => parsed.GetResult(option) is { Implicit: false };
        if (parsed.GetValue(quick))
        {
            options = options with
            {
                Quick = true,
                Totals = [10_000, 100_000],
                Layouts = [Layout.Recent],
                Repetitions = 3,
                CompareTotal = 100_000,
                CompareRepetitions = 2,
                SlackRuns = 1,
                StormMessages = 200,
                SlackAppPages = 200,
                SlackAppChannels = 20,
                SlackAppAcks = 60,
            };
        }
        options = options with
        {
            Partial = root.Options.Where(o => o != output && o != docs && o != waitQuiet).Any(Given),
            Only = Given(only) ? parsed.GetValue(only)! : options.Only,
            Repetitions = Given(reps) ? parsed.GetValue(reps) : options.Repetitions,
            Totals = Given(totals) ? parsed.GetValue(totals)! : options.Totals,
            Dues = Given(dues) ? parsed.GetValue(dues)! : options.Dues,
            Layouts = Given(layouts) ? parsed.GetValue(layouts)! : options.Layouts,
            CompareTotal = Given(compare) ? parsed.GetValue(compare)![0] : options.CompareTotal,
            CompareDue = Given(compare) ? parsed.GetValue(compare)![1] : options.CompareDue,
            BatchSize = Given(batchSize) ? parsed.GetValue(batchSize) : options.BatchSize,
            SlackRuns = Given(slackRuns) ? parsed.GetValue(slackRuns) : options.SlackRuns,
            SlackMessages = Given(slack) ? parsed.GetValue(slack)![0] : options.SlackMessages,
            SlackWebhooks = Given(slack) ? parsed.GetValue(slack)![1] : options.SlackWebhooks,
            SlackAppPages = Given(slackApp) ? parsed.GetValue(slackApp)![0] : options.SlackAppPages,
            SlackAppChannels = Given(slackApp) ? parsed.GetValue(slackApp)![1] : options.SlackAppChannels,
            SlackAppAcks = Given(slackApp) ? parsed.GetValue(slackApp)![2] : options.SlackAppAcks,
            SlackInstances = Given(slackInstances) ? parsed.GetValue(slackInstances) : options.SlackInstances,
            StormMessages = Given(storm) ? parsed.GetValue(storm) : options.StormMessages,
            StormDigestMax = Given(stormDigestMax) ? parsed.GetValue(stormDigestMax) : options.StormDigestMax,
            OutputDirectory = Given(output) ? parsed.GetValue(output) : options.OutputDirectory,
            DocsPath = Given(docs) ? parsed.GetValue(docs) : options.DocsPath,
            KeepTemplates = parsed.GetValue(keepTemplates),
            WaitQuiet = parsed.GetValue(waitQuiet),
        };
        return null;
    }

    /// <summary>The first mistake on the line, in the words of the option it concerns.</summary>
    private static string Mistake(ParseResult parsed)
    {
        var error = parsed.Errors[0];
        switch (error.SymbolResult)
        {
            case OptionResult { Tokens.Count: 0, Implicit: false } missing when missing.Option.Arity.MinimumNumberOfValues > 0:
                return $"{missing.Option.Name} needs a value{Expectation(missing.Option.Name)}";
            case OptionResult { Tokens.Count: > 1 } repeated:
                return $"{repeated.Option.Name} was given {repeated.Tokens.Count} times: expected it once";
            case OptionResult or ArgumentResult:
                return error.Message;
        }
        if (parsed.UnmatchedTokens is [var first, ..])
        {
            return first.StartsWith('-') ? $"unknown option '{first}'" : $"unexpected argument '{first}'";
        }
        return error.Message;
    }

    private static Option<bool> Flag(string name, params string[] aliases) => new(name, aliases) { Arity = ArgumentArity.Zero };

    /// <summary>An option with one value; <paramref name="parse"/> throws <see cref="ArgumentException"/> with the one-line mistake.</summary>
    private static Option<T> Parsed<T>(string name, Func<string, T> parse) => new(name)
    {
        Arity = ArgumentArity.ExactlyOne,
        CustomParser = result =>
        {
            if (result.Tokens.Count == 0)
            {
                result.AddError($"{name} needs a value{Expectation(name)}");
                return default!;
            }
            try
            {
                return parse(result.Tokens[^1].Value);
            }
            catch (ArgumentException e)
            {
                result.AddError(e.Message);
                return default!;
            }
        },
    };

    private static int[] Numbers(string text, string option, bool single = false)
    {
        var numbers = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(t => int.TryParse(t.Replace("_", ""), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 0)
            .ToArray();
        if (numbers.Length == 0 || numbers.Contains(0) || (single && numbers.Length != 1))
        {
            throw new ArgumentException($"{option} got '{text}': expected {(single ? "a whole number from 1 to 2147483647" : "whole numbers from 1 to 2147483647 separated by commas, e.g. 10000,100000")}");
        }
        return numbers;
    }

    /// <summary>What an option that was given no value expects, for the one-line error.</summary>
    private static string Expectation(string option) => option switch
    {
        "--only" => $": expected parts from {string.Join(", ", BenchOptions.Parts)}, separated by commas",
        "--layouts" => ": expected recent, scattered or both, separated by commas",
        "--compare" => ": expected TOTAL,DUE, e.g. 1000000,10000",
        "--slack" => ": expected MESSAGES,WEBHOOKS, e.g. 1000,100",
        "--totals" or "--dues" => ": expected whole numbers separated by commas, e.g. 10000,100000",
        "--out" => ": expected a folder",
        "--docs" => ": expected a Markdown file, e.g. docs/performance.md",
        _ => ": expected a whole number from 1 to 2147483647",
    };
}
