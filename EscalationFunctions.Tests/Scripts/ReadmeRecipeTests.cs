using System.Text.RegularExpressions;

namespace EscalationFunctions.Tests.Scripts;

/// <summary>
/// Every README shell block marked <c>&lt;!-- readme-test: runs against the local worker --&gt;</c> is run
/// as written, in a checkout of its own, against a worker started with <c>./scripts/run-local.sh</c>
/// after <c>./scripts/run-local.sh samples</c>. Unmarked blocks (Azure, benchmarks) are not run.
/// </summary>
public sealed partial class ReadmeRecipeTests : IAsyncLifetime
{
    public const string Marker = "<!-- readme-test: runs against the local worker -->";

    private readonly LocalCheckout _checkout = new();

    public Task InitializeAsync() => _checkout.InitializeAsync();

    public Task DisposeAsync() => _checkout.DisposeAsync();

    [Fact]
    public async Task Every_marked_shell_recipe_works_as_written_against_the_local_worker()
    {
        var blocks = MarkedBlocks(await File.ReadAllTextAsync(Path.Combine(_checkout.Root, "README.md")));
        Assert.True(blocks.Count >= 4, $"expected the README's local recipes to be marked, found {blocks.Count}");

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

    /// <summary>The ```bash blocks that directly follow the marker line.</summary>
    public static List<string> MarkedBlocks(string markdown) =>
        MarkedBlock().Matches(markdown.ReplaceLineEndings("\n")).Select(m => m.Groups[1].Value.TrimEnd('\n')).ToList();

    [GeneratedRegex(@"^<!-- readme-test: runs against the local worker -->\n```bash\n(.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex MarkedBlock();
}
