using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Support;

namespace EscalationFunctions.Tests.Cli;

/// <summary>
/// Every command of the server binary × {<c>--help</c>, each bad value of each option}, from the
/// commands' definitions (<see cref="CommandMatrix"/>): help exits 0 and only prints; a bad value is
/// one line on standard error naming the option and the value, exit 2, no stack trace; neither
/// starts the worker nor touches a database that has work waiting.
/// </summary>
[Lane(TestLane.Process)]
public class CommandMatrixTests(DatabaseFixture fixture) : DatabaseTest(fixture)
{
    public static TheoryData<string> HelpCases() => [.. CommandMatrix.HelpLines().Select(Label)];

    public static TheoryData<string> BadCases() => [.. CommandMatrix.BadLines().Select(l => l.ToString())];

    [Fact]
    public void Every_option_of_every_command_has_bad_values_to_try()
    {
        var options = CommandMatrix.Commands().SelectMany(c => CommandMatrix.UserOptions(c.Command)).ToList();

        Assert.NotEmpty(options);
        foreach (var option in options)
        {
            Assert.NotEmpty(CommandMatrix.BadValues(option)); // throws, naming the option, when it has none
        }
        Assert.Contains(CommandMatrix.BadLines(), l => l.Args is ["status", "--hours", "abc"]);
        Assert.Contains(CommandMatrix.BadLines(), l => l.Args is ["sign", "--method", "GET;rm"]);
        Assert.Contains(CommandMatrix.BadLines(), l => l.Args is ["sign", "--timestamp", "abc"]);
    }

    [Theory]
    [MemberData(nameof(HelpCases))]
    public async Task Help_prints_usage_exits_0_and_does_nothing_else(string label)
    {
        var args = CommandMatrix.HelpLines().Single(a => Label(a) == label);
        var before = await SeedWorkAsync();

        var (exit, output, stderr) = await RunAsync(args);

        Assert.True(exit == 0, $"exit {exit}\n{stderr}");
        Assert.Contains("Usage:", output);
        Assert.Equal("", stderr);
        Assert.DoesNotContain("listening on", output);
        Assert.Equal(before, await Db.SnapshotAsync());
    }

    [Theory]
    [MemberData(nameof(BadCases))]
    public async Task A_bad_value_is_one_line_naming_it_exit_2_and_nothing_starts(string label)
    {
        var line = CommandMatrix.BadLines().Single(l => l.ToString() == label);
        var before = await SeedWorkAsync();

        var (exit, output, stderr) = await RunAsync(line.Args);

        AssertOneLineUsageError(exit, stderr, line);
        Assert.DoesNotContain("listening on", output);
        Assert.Equal(before, await Db.SnapshotAsync());
    }

    /// <summary>Exit 2 and exactly one line on standard error that names the option and shows the value, without a stack trace.</summary>
    private static void AssertOneLineUsageError(int exit, string stderr, CommandMatrix.BadLine line)
    {
        var what = $"{line}\nexit {exit}\nstderr:\n{stderr}";
        Assert.True(exit == 2, what);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, what);
        Assert.DoesNotContain("   at ", stderr);
        Assert.DoesNotContain("Exception", stderr);
        Assert.DoesNotContain("System.", stderr);
        if (line.Names is { } option)
        {
            Assert.True(lines[0].Contains(option, StringComparison.Ordinal), what);
        }
        Assert.True(lines[0].Contains(line.Value.Length > 40 ? line.Value[..40] : line.Value, StringComparison.Ordinal), what);
        Assert.Matches(line.Value == "needs a value" || line.Names is null ? "." : "expected", lines[0]);
    }

    /// <summary>Incidents due and a message waiting: a worker that started would tick and change them.</summary>
    private async Task<List<string>> SeedWorkAsync()
    {
        await Incidents.InsertDueAsync(Db, 2);
        return await Db.SnapshotAsync();
    }

    private Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string[] args) =>
        ServerProcess.RunToExitAsync(TestSettings.Environment(Db, overrides: new() { [SettingNames.TickMs] = "200" }), args, TimeSpan.FromSeconds(60));

    private static string Label(string[] args) => string.Join(' ', args.Select(a => a.Length > 40 ? a[..20] + $"…({a.Length} chars)" : a));
}
