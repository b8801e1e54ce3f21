using System.CommandLine;
using System.CommandLine.Help;
using System.Text.RegularExpressions;
using EscalationFunctions.Engine.Endpoints;
using EscalationFunctions.Server.Commands;

namespace EscalationFunctions.Tests.Cli;

/// <summary>
/// The command lines to try on the server binary, built from the commands' own definitions
/// (<see cref="ServerCommandLine.Create"/>): every command with <c>--help</c> and <c>-h</c>, and for
/// every option of every command each bad value, no value at all, an unknown option and a stray
/// argument. Numbers get values from the range the option states; text options get theirs from
/// <see cref="TextBadValues"/>, which every such option must be in: a new option without bad values
/// fails <see cref="CommandMatrixTests.Every_option_of_every_command_has_bad_values_to_try"/>.
/// </summary>
public static partial class CommandMatrix
{
    /// <summary>One command line that must be refused: what the one line on standard error must name.</summary>
    public sealed record BadLine(string[] Args, string? Names, string Value)
    {
        public override string ToString() => string.Join(' ', Args.Select(a => a.Length > 40 ? a[..20] + $"…({a.Length} chars)" : a));
    }

    /// <summary>Bad values for options (and arguments, as &lt;name&gt;) whose type does not say what is wrong with a value.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> TextBadValues = new Dictionary<string, string[]>
    {
        ["--urls"] = ["not-a-url", "ftp://127.0.0.1:7071", "http://127.0.0.1:7071/base", "http://127.0.0.1:99999"],
        ["--secret-env"] = ["1KEY", "KEY;rm"],
        ["--body"] = [new string('x', RouteTable.MaxOpsBodyBytes + 1)],
        ["--body-file"] = ["/nonexistent/body.json"],
        ["--url"] = ["relative/path", "ftp://127.0.0.1/x", "http://127.0.0.1/ x'"],
        ["--method"] = ["GET;rm", "GET POST", "G-T"],
        ["--as"] = ["nobody", "a:b:c"],
        ["--function-key-env"] = ["x}", "$(id)"],
        ["--bearer-env"] = ["a b", "9X"],
        ["<command>"] = ["frobnicate"],
        ["<key>"] = ["", new string('k', 1001)],
        ["<route>"] = ["", new string('r', 201)],
    };

    /// <summary>Every command as its path on the command line: the root (serves) is the empty path.</summary>
    public static IEnumerable<(string[] Path, Command Command)> Commands()
    {
        var root = ServerCommandLine.Create();
        yield return ([], root);
        foreach (var command in root.Subcommands.Where(c => !c.Hidden))
        {
            yield return ([command.Name], command);
        }
    }

    /// <summary>The options a user can give (not the built-in --help and --version).</summary>
    public static IEnumerable<Option> UserOptions(Command command) =>
        command.Options.Where(o => !o.Hidden && o is not HelpOption && o is not VersionOption);

    /// <summary><c>--help</c> and <c>-h</c> on every command, and <c>--help</c> after a bad value (help wins).</summary>
    public static IEnumerable<string[]> HelpLines()
    {
        foreach (var (path, command) in Commands())
        {
            yield return [.. path, "--help"];
            yield return [.. path, "-h"];
            if (UserOptions(command).FirstOrDefault() is { } option)
            {
                yield return [.. path, option.Name, BadValues(option)[0], "--help"];
            }
        }
    }

    public static IEnumerable<BadLine> BadLines()
    {
        foreach (var (path, command) in Commands())
        {
            foreach (var option in UserOptions(command))
            {
                foreach (var value in BadValues(option))
                {
                    yield return new BadLine([.. path, option.Name, value], option.ValueType == typeof(bool) ? null : option.Name, value);
                }
                if (option.Arity.MinimumNumberOfValues > 0)
                {
                    yield return new BadLine([.. path, option.Name], option.Name, "needs a value");
                }
            }
            foreach (var argument in command.Arguments)
            {
                foreach (var value in TextBadValues[$"<{argument.Name}>"])
                {
                    yield return new BadLine([.. path, value], null, value);
                }
            }
            yield return new BadLine([.. path, "--frobnicate"], null, "--frobnicate");
            if (command.Arguments.Count == 0)
            {
                yield return new BadLine([.. path, "stray"], null, "stray");
            }
        }
    }

    /// <summary>Bad values for <paramref name="option"/>: from <see cref="TextBadValues"/>, else from its type and stated range.</summary>
    public static string[] BadValues(Option option)
    {
        if (TextBadValues.TryGetValue(option.Name, out var values))
        {
            return values;
        }
        var type = Nullable.GetUnderlyingType(option.ValueType) ?? option.ValueType;
        if (type == typeof(bool))
        {
            return ["maybe"];
        }
        if (type == typeof(int) || type == typeof(long))
        {
            var range = Range().Match(CliOptions.Expected(option));
            if (!range.Success)
            {
                throw new InvalidOperationException($"{option.Name} does not state its range (\"{CliOptions.Expected(option)}\")");
            }
            var (min, max) = (long.Parse(range.Groups[1].Value), decimal.Parse(range.Groups[2].Value));
            return ["abc", "1.5", (min - 1).ToString(), (max + 1).ToString(), "99999999999999999999"];
        }
        throw new InvalidOperationException($"no bad values for {option.Name} ({option.ValueType.Name}): add them to CommandMatrix.TextBadValues");
    }

    [GeneratedRegex(@"from (-?\d+) to (\d+)")]
    private static partial Regex Range();
}
