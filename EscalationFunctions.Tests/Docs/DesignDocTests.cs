using System.Text.RegularExpressions;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Testing;

namespace EscalationFunctions.Tests.Docs;

/// <summary>
/// docs/design.md tells a newcomer where each behaviour lives: every file or folder it names must
/// exist, and every engine folder must be in its picture, so the page cannot drift from the code.
/// </summary>
[Lane(TestLane.Unit)]
public sealed partial class DesignDocTests
{
    private static readonly string Design = File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "design.md"));
    private static readonly string Engine = Path.Combine(RepoPaths.Root, "EscalationFunctions.Engine");

    [Fact]
    public void Every_path_the_design_page_names_exists()
    {
        var paths = CodePath().Matches(Design).Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.True(paths.Count > 25, $"only {paths.Count} paths found in docs/design.md");

        var missing = paths.Where(p => !Exists(Path.Combine(Engine, p)) && !Exists(Path.Combine(RepoPaths.Root, p))
            && !Exists(Path.Combine(RepoPaths.Root, "EscalationFunctions.Tests", p))
            && !Exists(Path.Combine(RepoPaths.Root, "EscalationFunctions.Hosting", p))).ToList();
        Assert.True(missing.Count == 0, "docs/design.md names paths that do not exist: " + string.Join(", ", missing));
    }

    [Fact]
    public void Every_engine_namespace_is_in_the_design_pages_picture()
    {
        var namespaces = typeof(EscalationSettings).Assembly.GetTypes().Select(t => t.Namespace)
            .OfType<string>().Where(n => n.StartsWith("EscalationFunctions.Engine.", StringComparison.Ordinal))
            .Select(n => n["EscalationFunctions.Engine.".Length..].Split('.')).Distinct().ToList();
        Assert.NotEmpty(namespaces);
        var picture = Design[Design.IndexOf("## The engine's folders", StringComparison.Ordinal)..];
        var absent = namespaces.Select(parts => parts[0] == "Slack" && parts.Length > 1 ? parts[1] : parts[0])
            .Distinct().Where(folder => !Regex.IsMatch(picture, $@"^\s*[│├└─ ]*{folder}\b", RegexOptions.Multiline)).ToList();
        Assert.True(absent.Count == 0, "engine folders missing from docs/design.md's picture: " + string.Join(", ", absent));
    }

    // A path may name a type without ".cs" (`Untrusted/UntrustedText`) or a pattern (`Data/Migrations/*.sql`).
    private static bool Exists(string path) =>
        path.Contains('*', StringComparison.Ordinal)
            ? Directory.Exists(Path.GetDirectoryName(path)) && Directory.EnumerateFiles(Path.GetDirectoryName(path)!, Path.GetFileName(path)).Any()
            : File.Exists(path) || File.Exists(path + ".cs") || Directory.Exists(path);

    // `Tick/TickSql.cs`, `Slack/Transports/`, `EscalationFunctions.Hosting/Secrets/`: a backticked path with a slash.
    [GeneratedRegex(@"`([A-Za-z][\w.]*/[\w./*]*?)`")]
    private static partial Regex CodePath();
}
