using System.Net.Sockets;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Cli;

namespace EscalationFunctions.Tests.Scripts;

/// <summary>
/// Every script in <c>scripts/</c>, in a fresh checkout whose <c>.local/</c> would start PostgreSQL
/// (a cluster folder, no connection string) and names a worker (a pid file): <c>--help</c> anywhere
/// prints help and exits 0, a bad argument is one line on standard error naming it, exit 2; and
/// neither builds, starts nor stops anything (<c>.local/</c> unchanged to the byte, no cluster
/// created, its port not listening). The server's commands and their bad values come from
/// <see cref="CommandMatrix"/>, built from the commands' definitions.
/// </summary>
[Lane(TestLane.Process)]
public class ScriptCommandLineTests : IAsyncLifetime
{
    private readonly LocalCheckout _checkout = new();

    /// <summary>Command lines that must print help, exit 0 and do nothing else.</summary>
    public static TheoryData<string> HelpLines()
    {
        var lines = new List<string> { "scripts/run-local.sh stop --help", "scripts/run-local.sh stop -h", "scripts/run-local.sh --urls nope -h" };
        // The server's commands through run-local.sh, which starts PostgreSQL for most of them: --help must not.
        lines.AddRange(CommandMatrix.HelpLines().Select(args => "scripts/run-local.sh " + Shell(args)));
        lines.AddRange([
            "scripts/ops-call.sh --help", "scripts/ops-call.sh -h", "scripts/ops-call.sh tick --help", "scripts/ops-call.sh --functions ack KEY --help",
            "scripts/benchmark.sh --help", "scripts/benchmark.sh -h", "scripts/benchmark.sh --quick --help",
            "scripts/test.sh --help", "scripts/test.sh --filter X -h", "scripts/test.sh --fast --help",
            "scripts/postgres.sh --help", "scripts/postgres.sh start .local/postgres --help",
            "scripts/bicep.sh --help", "scripts/bicep.sh lint -h",
            "scripts/create-app-registration.sh --help",
        ]);
        return [.. lines.Distinct()];
    }

    /// <summary>Command lines that must be refused in one line naming the value, exit 2.</summary>
    public static TheoryData<string, string> BadLines()
    {
        var lines = new TheoryData<string, string>();
        // Each server option's first bad value and its missing value, an unknown option and a stray argument, through
        // run-local.sh: refused before PostgreSQL starts. (Every bad value is tried on the binary by CommandMatrixTests.)
        var firstOfEach = CommandMatrix.BadLines()
            .Where(l => l.Args.All(a => a.Length < 1000))
            .GroupBy(l => l.Args.Length >= 2 && l.Args[^2].StartsWith("--", StringComparison.Ordinal) ? string.Join(' ', l.Args[..^1]) : string.Join(' ', l.Args))
            .Select(g => g.First());
        foreach (var line in firstOfEach)
        {
            lines.Add("scripts/run-local.sh " + Shell(line.Args), line.Value.Length > 40 ? line.Value[..40] : line.Value);
        }
        foreach (var (line, named) in new[]
        {
            ("scripts/run-local.sh frobnicate", "frobnicate"),
            ("scripts/run-local.sh stop now", "now"),
            ("scripts/ops-call.sh", "expected health"),
            ("scripts/ops-call.sh frob", "frob"),
            ("scripts/ops-call.sh health extra", "extra"),
            ("scripts/ops-call.sh tick '{}' extra", "extra"),
            ("scripts/ops-call.sh ack", "KEY"),
            ("scripts/ops-call.sh --bogus health", "--bogus"),
            ("scripts/benchmark.sh --reps abc", "abc"),
            ("scripts/benchmark.sh --reps", "--reps"),
            ("scripts/benchmark.sh --only nope", "nope"),
            ("scripts/benchmark.sh --frobnicate", "--frobnicate"),
            ("scripts/test.sh --filter", "--filter"),
            ("scripts/test.sh --fast --filter", "--filter"),
            ("scripts/postgres.sh", "expected start"),
            ("scripts/postgres.sh frob .local/postgres", "frob"),
            ("scripts/postgres.sh start .local/postgres abc", "abc"),
            ("scripts/postgres.sh start .local/postgres 70000", "70000"),
            ("scripts/postgres.sh stop .local/postgres extra", "extra"),
            ("scripts/bicep.sh", "expected path"),
            ("scripts/bicep.sh frob", "frob"),
            ("scripts/bicep.sh lint extra", "extra"),
            ("scripts/bicep.sh snapshot /nonexistent.bicepparam", "/nonexistent.bicepparam"),
            ("scripts/create-app-registration.sh extra", "extra"),
        })
        {
            lines.Add(line, named);
        }
        return lines;
    }

    public async Task InitializeAsync()
    {
        await _checkout.InitializeAsync();
        // benchmark.sh checks its options with the program as built (a checkout has no sources to build).
        var bench = Path.Combine(_checkout.Root, "EscalationFunctions.Benchmarks", "bin", "Release");
        Directory.CreateDirectory(bench);
        Directory.CreateSymbolicLink(Path.Combine(bench, "net10.0"),
            Path.Combine(RepoPaths.Root, "EscalationFunctions.Benchmarks", "bin", RepoPaths.Configuration, "net10.0"));
        // A worker's pid file: a `stop` would remove it.
        _checkout.WriteLocal("worker.pid", "999999\n");
    }

    public Task DisposeAsync() => _checkout.DisposeAsync();

    [Theory]
    [MemberData(nameof(HelpLines))]
    public async Task Help_prints_exits_0_and_builds_starts_or_stops_nothing(string line)
    {
        var before = LocalState();

        var (exit, stdout, stderr) = await _checkout.RunAsync(line);

        Assert.True(exit == 0, $"{line}\nexit {exit}\nstderr:\n{stderr}");
        Assert.Matches("(?i)usage|--help", stdout);
        Assert.Equal("", stderr);
        Assert.DoesNotContain("== building", stdout);
        AssertNothingChanged(before);
    }

    [Theory]
    [MemberData(nameof(BadLines))]
    public async Task A_bad_argument_is_one_line_naming_it_exit_2_and_nothing_starts(string line, string named)
    {
        var before = LocalState();

        var (exit, _, stderr) = await _checkout.RunAsync(line);

        var what = $"{line}\nexit {exit}\nstderr:\n{stderr}";
        Assert.True(exit == 2, what);
        var single = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.True(single.Contains(named, StringComparison.Ordinal), what);
        Assert.DoesNotContain("   at ", stderr);
        AssertNothingChanged(before);
    }

    [Fact]
    public async Task Help_in_a_checkout_never_built_prints_without_building()
    {
        Directory.Delete(Path.Combine(_checkout.Root, "EscalationFunctions.Server", "bin"), recursive: true);
        Directory.Delete(Path.Combine(_checkout.Root, "EscalationFunctions.Benchmarks", "bin"), recursive: true);
        var before = LocalState();

        foreach (var line in new[] { "scripts/run-local.sh status --help", "scripts/run-local.sh serve -h", "scripts/benchmark.sh --help" })
        {
            var (exit, stdout, stderr) = await _checkout.RunAsync(line);

            Assert.True(exit == 0, $"{line}\nexit {exit}\n{stdout}\n{stderr}");
            Assert.Contains("--help", stdout);
            Assert.DoesNotContain("== building", stdout);
            Assert.False(Directory.Exists(Path.Combine(_checkout.Root, "EscalationFunctions.Server", "bin")), line);
            Assert.False(Directory.Exists(Path.Combine(_checkout.Root, "EscalationFunctions.Benchmarks", "bin")), line);
            AssertNothingChanged(before);
        }
    }

    /// <summary><c>.local/</c> as it is: every file's path, size and last write, and its contents.</summary>
    private List<string> LocalState() =>
        Directory.EnumerateFileSystemEntries(Path.Combine(_checkout.Root, ".local"), "*", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .Select(p => File.Exists(p) ? $"{p} {File.GetLastWriteTimeUtc(p):O} {File.ReadAllText(p)}" : p)
            .ToList();

    private void AssertNothingChanged(List<string> before)
    {
        Assert.Equal(before, LocalState());
        Assert.False(Directory.Exists(Path.Combine(_checkout.Root, ".local", "postgres", "data")), "a PostgreSQL cluster was created");
        var port = int.Parse(_checkout.ReadLocal("postgres/port")!.Trim());
        Assert.False(LoopbackPort.IsListening(port), $"PostgreSQL listens on {port}");
    }

    private static string Shell(IEnumerable<string> args) => string.Join(' ', args.Select(a => "'" + a.Replace("'", "'\\''") + "'"));

}
