using System.CommandLine;
using System.CommandLine.Parsing;
using EscalationFunctions.Engine.Untrusted;

namespace EscalationFunctions.Server.Commands;

/// <summary>
/// The server binary's command line, on System.CommandLine: <c>serve</c> (the default), <c>status</c>,
/// <c>migrate</c>, <c>samples</c>, <c>sign</c>, <c>resolve</c>, <c>check</c>, <c>slack-test</c> and <c>help</c>. <c>--help</c>, <c>-h</c>, <c>help</c> and
/// <c>COMMAND --help</c> print usage and exit 0 before anything starts or touches the database (also
/// when the rest of the line is wrong); a command line that does not parse is one line on standard
/// error naming the option, the value and what is expected, and exits <see cref="ExitCodes.Usage"/>.
/// </summary>
public static class ServerCommandLine
{
    public static RootCommand Create()
    {
        var root = new RootCommand(
            "EscalationFunctions: raises unacknowledged incidents a level when their deadline passes, records each " +
            "escalation once and tells Slack. Settings come from environment variables (docs/reference.md, section 2). " +
            "Without a command it serves.");
        ServeCommand.Configure(root);
        root.Add(ServeCommand.Create());
        root.Add(StatusCommand.Create());
        root.Add(MigrateCommand.Create());
        root.Add(SampleIncidentsCommand.Create());
        root.Add(SignCommand.Create());
        root.Add(ResolveCommand.Create());
        root.Add(CheckCommand.Create());
        root.Add(SlackTestCommand.Create());
        root.Add(HelpCommand(root));
        return root;
    }

    /// <summary>
    /// Set to <c>1</c>, the command line is only checked: a usage error is reported as usual (one line,
    /// exit 2), anything else exits 0 without running. <c>scripts/run-local.sh</c> checks a command's
    /// options this way before it starts PostgreSQL for it.
    /// </summary>
    public const string CheckOnlyVariable = "ESCALATION_CLI_CHECK_ONLY";

    private static readonly string[] HelpAliases = ["--help", "-h", "-?", "/h", "/?"];

    public static async Task<int> RunAsync(string[] args)
    {
        var root = Create();
        var checkOnly = Environment.GetEnvironmentVariable(CheckOnlyVariable) == "1";
        ParseResult parsed;
        try
        {
            parsed = root.Parse(args);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or OverflowException or ArgumentException)
        {
            // A parser or validator that threw instead of reporting: still one line, never a stack trace.
            await Console.Error.WriteLineAsync($"Cannot read the command line: {e.Message}");
            return ExitCodes.Usage;
        }

        // --help (or -h) anywhere wins over everything else on the line, mistakes included: it prints and does nothing.
        if (parsed.Tokens.Any(t => t.Type == TokenType.Option && HelpAliases.Contains(t.Value)))
        {
            if (!checkOnly)
            {
                PrintHelp(root, CommandPath(parsed.CommandResult.Command), Console.Out);
            }
            return ExitCodes.Ok;
        }
        if (parsed.Errors.Count > 0)
        {
            await Console.Error.WriteLineAsync(UsageError(root, parsed));
            return ExitCodes.Usage;
        }
        if (checkOnly)
        {
            return ExitCodes.Ok;
        }
        // No System.CommandLine signal handling: by default it ends the process 2 s after SIGTERM or
        // Ctrl+C, cutting short the host's own graceful shutdown (the tick and Slack posts in flight).
        return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
    }

    /// <summary>
    /// The one line for a command line that does not parse: what is wrong (the option, the value, what
    /// it expects), prefixed with the command; <c>COMMAND --help</c> has the rest.
    /// </summary>
    private static string UsageError(RootCommand root, ParseResult parsed)
    {
        var command = parsed.CommandResult.Command;
        var name = command is RootCommand ? "" : command.Name;
        var prefix = name.Length == 0 ? "" : $"{name}: ";
        var help = name.Length == 0 ? "--help" : $"{name} --help";
        var error = parsed.Errors[0];
        switch (error.SymbolResult)
        {
            case OptionResult { Tokens.Count: 0, Implicit: false } missing when missing.Option.Arity.MinimumNumberOfValues > 0:
                return $"{prefix}{missing.Option.Name} needs a value: expected {CliOptions.Expected(missing.Option)}.";
            case OptionResult or ArgumentResult:
                return prefix + error.Message;
        }
        if (parsed.UnmatchedTokens is [var first, ..])
        {
            var shown = UntrustedText.Escape(first, 80);
            if (command is RootCommand && !first.StartsWith('-'))
            {
                return $"Unknown command '{shown}': expected one of {CommandList(root)} (--help explains them).";
            }
            return first.StartsWith('-')
                ? $"{prefix}unknown option '{shown}' ('{help}' lists the options)."
                : $"{prefix}unexpected argument '{shown}' ('{help}' lists what {(name.Length == 0 ? "it" : name)} takes).";
        }
        return prefix + error.Message;
    }

    private static string CommandList(RootCommand root) => string.Join(", ", root.Subcommands.Where(c => !c.Hidden).Select(c => c.Name));

    /// <summary><c>help [COMMAND]</c>: the same text as <c>[COMMAND] --help</c>.</summary>
    private static Command HelpCommand(RootCommand root)
    {
        var topic = new Argument<string?>("command") { Description = "The command to explain.", Arity = ArgumentArity.ZeroOrOne };
        var help = new Command("help", "Show how to use this program or one of its commands.") { topic };
        help.SetAction(parsed =>
        {
            var name = parsed.GetValue(topic);
            if (name is null)
            {
                PrintHelp(root, [], Console.Out);
                return ExitCodes.Ok;
            }
            if (root.Subcommands.All(c => c.Name != name))
            {
                Console.Error.WriteLine($"help: unknown command '{UntrustedText.Escape(name, 80)}': expected one of {CommandList(root)}.");
                return ExitCodes.Usage;
            }
            PrintHelp(root, [name], Console.Out);
            return ExitCodes.Ok;
        });
        return help;
    }

    private static void PrintHelp(RootCommand root, IReadOnlyList<string> commandPath, TextWriter output) =>
        root.Parse([.. commandPath, "--help"]).Invoke(new InvocationConfiguration { Output = output });

    private static List<string> CommandPath(Command command)
    {
        // Only the root and its direct subcommands exist; a nested one would add its parents here.
        return command is RootCommand ? [] : [command.Name];
    }
}
