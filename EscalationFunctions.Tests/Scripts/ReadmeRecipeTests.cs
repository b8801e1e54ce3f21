using System.Text.Json;
using System.Text.RegularExpressions;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Testing;
using EscalationFunctions.Testing.FunctionsHost;

namespace EscalationFunctions.Tests.Scripts;

/// <summary>
/// Every README shell block marked <c>&lt;!-- readme-test: runs against the local worker --&gt;</c> is run
/// as written, in a checkout of its own, against a worker started with <c>./scripts/run-local.sh</c>
/// after <c>./scripts/run-local.sh samples</c>; the Functions loop's blocks run up to <c>func start</c>,
/// the stand-in taking its place. Unmarked blocks (Azure, benchmarks) are not run.
/// </summary>
[Lane(TestLane.Process)]
public sealed partial class ReadmeRecipeTests : IAsyncLifetime
{
    public const string Marker = "<!-- readme-test: runs against the local worker -->";

    private readonly LocalCheckout _checkout = new();

    public Task InitializeAsync() => _checkout.InitializeAsync();

    public Task DisposeAsync() => _checkout.DisposeAsync();

    [Fact]
    public async Task Every_marked_shell_recipe_works_as_written_against_the_local_worker()
    {
        // The tour's recipes in the README, the rest (signing a call by hand, say) in the manual.
        var blocks = MarkedBlocks(await File.ReadAllTextAsync(Path.Combine(_checkout.Root, "README.md")))
            .Concat(MarkedBlocks(await File.ReadAllTextAsync(Path.Combine(_checkout.Root, "docs", "manual.md")))).ToList();
        Assert.True(blocks.Count >= 4, $"expected the README's and the manual's local recipes to be marked, found {blocks.Count}");

        await _checkout.StartWorkerAsync();
        var (samplesExit, _, samplesErr) = await _checkout.RunAsync("./scripts/run-local.sh samples");
        Assert.True(samplesExit == 0, samplesErr);

        foreach (var block in blocks)
        {
            var (exit, stdout, stderr) = await _checkout.RunAsync("set -euo pipefail\n" + block);
            var what = $"README block:\n{block}\nexit {exit}\nstdout:\n{stdout}\nstderr:\n{stderr}\nworker:\n{_checkout.WorkerOutput}";
            Assert.True(exit == 0, what);
            Assert.True(stdout.Trim().Length > 0, what);
            Assert.False(stdout.Contains("\"error\"", StringComparison.Ordinal), what);
        }
    }

    [Fact]
    public void Only_marked_blocks_are_selected()
    {
        var readme = $"```bash\necho unmarked\n```\n{Marker}\n```bash\necho one\necho two\n```\ntext\n{Marker}\n\n```bash\necho not directly after\n```\n";

        Assert.Equal(["echo one\necho two"], MarkedBlocks(readme));
    }

    public const string FunctionsLoopMarker = "<!-- readme-test: the Functions local loop, run up to func start -->";
    public const string FuncStartMarker = "<!-- readme-test: runs against func start -->";

    /// <summary>
    /// The README's Functions loop as written, up to <c>func start</c> (the Core Tools cannot be installed
    /// here): PostgreSQL, Azurite through npx without a prompt or telemetry noise (on free ports, so that
    /// parallel runs do not collide; otherwise as written), the settings copied, the worker built. Then,
    /// in place of <c>func start</c>, the Functions host stand-in runs the worker just built with those
    /// settings, and the README's <c>ops-call.sh --functions</c> calls are signed with their key and
    /// answered. Only the database's port (the checkout's own cluster, not 55432) and the address
    /// (the stand-in's, not 7071, with its function key) differ from what a newcomer runs.
    /// </summary>
    [Fact]
    public async Task The_Functions_local_loop_runs_as_written_up_to_func_start_and_ops_call_signs_for_it()
    {
        var readme = await File.ReadAllTextAsync(Path.Combine(_checkout.Root, "README.md"));
        var loop = Assert.Single(BlocksAfter(readme, FunctionsLoopMarker)).Split('\n');
        var calls = Assert.Single(BlocksAfter(readme, FuncStartMarker));
        var beforeFuncStart = loop.TakeWhile(l => !l.Contains("func start", StringComparison.Ordinal)).ToList();
        Assert.True(beforeFuncStart.Count < loop.Length, "the block ends with func start");
        var azurite = Assert.Single(beforeFuncStart, l => l.Contains("azurite", StringComparison.Ordinal));
        Assert.Contains(" &", azurite);
        CopySources(RepoPaths.Root, _checkout.Root);

        var ports = new[] { ServerProcess.FreePort(), ServerProcess.FreePort(), ServerProcess.FreePort() };
        var steps = beforeFuncStart.Select(l => l == azurite
            ? l.Replace(" &", $" --blobPort {ports[0]} --queuePort {ports[1]} --tablePort {ports[2]} &", StringComparison.Ordinal)
            : l);
        var script =
            $$"""
            set -euo pipefail
            set -m   # the emulator in a process group of its own, stopped with its children when this ends
            trap 'for job in $(jobs -p); do kill -TERM -- "-$job" 2>/dev/null || true; done' EXIT
            {{string.Join('\n', steps)}}
            for port in {{string.Join(' ', ports)}}; do   # npx may first download Azurite
              for _ in $(seq 1 600); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.2; done
              (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "Azurite does not listen on $port" >&2; exit 1; }
            done
            sleep 2   # time for a telemetry error to show, as it did without --disableTelemetry
            """;
        var (exit, stdout, stderr) = await ShellRun.RunAsync(_checkout.Root, script, _checkout.Environment(), TimeSpan.FromMinutes(10));

        var what = $"exit {exit}\nstdout:\n{stdout}\nstderr:\n{stderr}";
        Assert.True(exit == 0, what);
        Assert.Contains("Azurite Blob service is successfully listening", stdout);
        foreach (var noise in new[] { "ApplicationInsights", "getaddrinfo", "npx canceled", "   at " })
        {
            Assert.False((stdout + stderr).Contains(noise, StringComparison.Ordinal), $"'{noise}' in the output:\n{what}");
        }
        var settingsFile = Path.Combine(_checkout.Root, "EscalationFunctions", "local.settings.json");
        var appDirectory = Path.Combine(_checkout.Root, "EscalationFunctions", "bin", "Debug", "net10.0");
        Assert.True(File.Exists(Path.Combine(appDirectory, "functions.metadata")), what);

        var values = JsonDocument.Parse(await File.ReadAllTextAsync(settingsFile)).RootElement.GetProperty("Values")
            .EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "");
        var pgPort = _checkout.ReadLocal("postgres/port")!.Trim();
        values[SettingNames.PostgresConnectionString] = $"Host=127.0.0.1;Port={pgPort};Username=postgres;Database=escalation";
        await using var host = await FunctionsHostStandIn.StartAsync(values, appDirectory: appDirectory);

        foreach (var call in calls.Split('\n'))
        {
            var (callExit, answer, callErr) = await _checkout.RunAsync(call, new()
            {
                ["OPS_BASE_URL"] = host.BaseUrl.AbsoluteUri.TrimEnd('/'),
                ["OPS_FUNCTION_KEY"] = host.FunctionKey,
            });
            var callWhat = $"{call}\nexit {callExit}\nstdout:\n{answer}\nstderr:\n{callErr}\nworker:\n{host.Output}";
            Assert.True(callExit == 0, callWhat);
            Assert.StartsWith("{", answer.Trim());
            Assert.DoesNotContain("\"error\"", answer);
        }
    }

    /// <summary>The repository's sources (no build output, no local state) into a checkout, to build there.</summary>
    private static void CopySources(string from, string to)
    {
        string[] skipped = ["bin", "obj", ".git", ".local", "node_modules", ".tools", "TestResults", "benchmark-results"];
        foreach (var dir in Directory.EnumerateDirectories(from).Where(d => !skipped.Contains(Path.GetFileName(d))))
        {
            var target = Path.Combine(to, Path.GetFileName(dir));
            if (new DirectoryInfo(target).LinkTarget is null)
            {
                Directory.CreateDirectory(target);
                CopySources(dir, target);
            }
        }
        foreach (var file in Directory.EnumerateFiles(from).Where(f => Path.GetFileName(f) is not ("local.settings.json" or ".git")))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)), overwrite: true);
        }
    }

    /// <summary>The ```bash blocks that directly follow <paramref name="marker"/>.</summary>
    public static List<string> BlocksAfter(string markdown, string marker) =>
        Regex.Matches(markdown.ReplaceLineEndings("\n"), "^" + Regex.Escape(marker) + "\n```bash\n(.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)
            .Select(m => m.Groups[1].Value.TrimEnd('\n')).ToList();

    /// <summary>The ```bash blocks that directly follow the marker line.</summary>
    public static List<string> MarkedBlocks(string markdown) =>
        MarkedBlock().Matches(markdown.ReplaceLineEndings("\n")).Select(m => m.Groups[1].Value.TrimEnd('\n')).ToList();

    [GeneratedRegex(@"^<!-- readme-test: runs against the local worker -->\n```bash\n(.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex MarkedBlock();
}
