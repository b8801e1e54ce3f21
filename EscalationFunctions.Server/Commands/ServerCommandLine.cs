using System.CommandLine;

namespace EscalationFunctions.Server.Commands;

/// <summary>
/// The server binary's command line, on System.CommandLine: <c>serve</c> (the default), <c>status</c>,
/// <c>migrate</c>, <c>samples</c>, <c>sign</c> and <c>help</c>. <c>--help</c>, <c>-h</c>, <c>help</c> and
/// <c>COMMAND --help</c> print usage and exit 0 before anything starts or touches the database; a
/// command line that does not parse prints the error and the usage on standard error and exits
/// <see cref="ExitCodes.Usage"/>.
/// </summary>
public static class ServerCommandLine
{
    public static RootCommand Create()
    {
        var root = new RootCommand(
            "EscalationFunctions: raises unacknowledged incidents a level when their deadline passes, records each " +
            "escalation once and tells Slack. Settings come from environment variables (README, \"Settings\"). " +
            "Without a command it serves.");
        ServeCommand.Configure(root);
        root.Add(ServeCommand.Create());
        root.Add(StatusCommand.Create());
        root.Add(MigrateCommand.Create());
        root.Add(SampleIncidentsCommand.Create());
        root.Add(SignCommand.Create());
        root.Add(HelpCommand(root));
        return root;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var root = Create();
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            if (parsed.CommandResult.Command is RootCommand && parsed.UnmatchedTokens is [var first, ..] && !first.StartsWith('-'))
            {
                await Console.Error.WriteLineAsync($"Unknown command '{first}'.");
            }
            else
            {
                foreach (var error in parsed.Errors)
                {
                    await Console.Error.WriteLineAsync(error.Message);
                }
            }
            await Console.Error.WriteLineAsync();
            PrintHelp(root, CommandPath(parsed.CommandResult.Command), Console.Error);
            return ExitCodes.Usage;
        }
        // No System.CommandLine signal handling: by default it ends the process 2 s after SIGTERM or
        // Ctrl+C, cutting short the host's own graceful shutdown (the tick and Slack posts in flight).
        return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
    }

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
                Console.Error.WriteLine($"Unknown command '{name}'.");
                Console.Error.WriteLine();
                PrintHelp(root, [], Console.Error);
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
