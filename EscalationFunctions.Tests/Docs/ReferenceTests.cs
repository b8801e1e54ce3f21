using System.Text.Json;
using System.Text.RegularExpressions;
using EscalationFunctions.Engine.Endpoints;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Engine.Telemetry;
using EscalationFunctions.Hosting.Secrets;
using EscalationFunctions.Testing;

namespace EscalationFunctions.Tests.Docs;

/// <summary>
/// docs/reference.md is the contract inside the repository: its lists of settings, routes, metrics
/// and alert rules are compared with the ones the code and the Bicep define, so a count cannot
/// drift again, and every "reference §N" a comment cites names a section that exists.
/// </summary>
[Lane(TestLane.Unit)]
public partial class ReferenceTests
{
    private static readonly string Reference = File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "reference.md"));

    private static string Section(string number)
    {
        var start = Regex.Match(Reference, $@"^## {Regex.Escape(number)}\. ", RegexOptions.Multiline);
        Assert.True(start.Success, $"docs/reference.md has no section {number}");
        var next = Regex.Match(Reference[(start.Index + 1)..], @"^## \d+\. ", RegexOptions.Multiline);
        return next.Success ? Reference.Substring(start.Index, next.Index + 1) : Reference[start.Index..];
    }

    /// <summary>The first column of every table row of <paramref name="text"/>, without its backticks.</summary>
    private static List<string> FirstColumn(string text) =>
        TableRow().Matches(text).Select(m => m.Groups[1].Value.Trim().Trim('`')).Where(c => c is not ("---" or "setting" or "route" or "metric" or "table" or "alert rule")).ToList();

    /// <summary>What local.settings.example.json holds: every setting but the plain server's key and the one Azure sets, plus the Functions host's own two.</summary>
    internal static IEnumerable<string> FunctionsAppSettingNames()
    {
        string[] functionsHostOwn = ["AzureWebJobsStorage", "FUNCTIONS_WORKER_RUNTIME"];
        string[] notForTheFunctionsApp = [SettingNames.OpsFunctionKey, SettingNames.WebsiteAuthEnabled]; // the plain server's key; set by Azure
        return SettingNamesInCode().Except(notForTheFunctionsApp).Concat(functionsHostOwn);
    }

    private static IReadOnlySet<string> SettingNamesInCode() => SettingNames.All.ToHashSet();

    [Fact]
    public void Every_setting_the_code_reads_is_in_the_reference_and_the_reference_names_no_other()
    {
        var documented = FirstColumn(Section("2"));

        Assert.Equal(documented.Count, documented.Distinct().Count());
        Assert.Equal(SettingNamesInCode().Order(StringComparer.Ordinal), documented.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_local_settings_example_has_every_setting_but_the_plain_server_and_Azure_ones_and_nothing_else()
    {
        var values = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "local.settings.example.json")))
            .RootElement.GetProperty("Values").EnumerateObject().Select(p => p.Name).ToHashSet();

        Assert.Equal(FunctionsAppSettingNames().Order(StringComparer.Ordinal), values.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_route_is_in_the_reference_with_its_method()
    {
        var documented = FirstColumn(Section("6"));

        Assert.Equal(RouteTable.All.Select(r => $"{r.Method} /{r.Template}").Order(StringComparer.Ordinal), documented.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_metric_the_worker_sends_is_in_the_reference_and_no_other()
    {
        var documented = FirstColumn(Section("7")).Where(c => Regex.IsMatch(c, "^[a-z_0-9]+$")).ToList();

        Assert.Equal(MetricNames.All.Append(KeyVaultSecretStore.FailureMetric).Order(StringComparer.Ordinal), documented.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_alert_rule_of_the_Bicep_is_in_the_reference_by_its_display_name_and_no_other()
    {
        var bicep = File.ReadAllText(Path.Combine(RepoPaths.Root, "infra", "modules", "alerts.bicep"));
        var defined = DisplayName().Matches(bicep).Select(m => m.Groups[1].Value).ToList();
        var documented = FirstColumn(Section("7")).Where(c => !Regex.IsMatch(c, "^[a-z_0-9]+$")).ToList();

        Assert.Equal(6, defined.Count);
        Assert.Equal(defined.Order(StringComparer.Ordinal), documented.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_section_the_code_and_docs_cite_exists()
    {
        var cited = Directory.EnumerateFiles(RepoPaths.Root, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".cs") || f.EndsWith(".sql") || f.EndsWith(".sh") || f.EndsWith(".bicep") || f.EndsWith(".md"))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}")
                        && !f.Contains($"{Path.DirectorySeparatorChar}.local{Path.DirectorySeparatorChar}"))
            .SelectMany(f => Citation().Matches(File.ReadAllText(f)).Select(m => (File: Path.GetRelativePath(RepoPaths.Root, f), Section: m.Groups[1].Value)))
            .ToList();

        Assert.True(cited.Count > 100, $"only {cited.Count} citations found");
        var missing = cited.Where(c => !Exists(c.Section)).Select(c => $"{c.File}: reference §{c.Section}").Distinct().ToList();
        Assert.True(missing.Count == 0, "cited but not in docs/reference.md:\n" + string.Join('\n', missing));
    }

    /// <summary>§N is a section; §N.M a subsection, or item M of section N's numbered list (§10's, say).</summary>
    private static bool Exists(string section)
    {
        var parts = section.TrimEnd('.').Split('.');
        if (!Regex.IsMatch(Reference, $@"^## {parts[0]}\. ", RegexOptions.Multiline))
        {
            return false;
        }
        return parts.Length == 1
               || Regex.IsMatch(Reference, $@"^### {parts[0]}\.{parts[1]} ", RegexOptions.Multiline)
               || Regex.IsMatch(Section(parts[0]), $@"^{parts[1]}\. ", RegexOptions.Multiline);
    }

    [GeneratedRegex(@"^\|([^|]+)\|", RegexOptions.Multiline)]
    private static partial Regex TableRow();

    [GeneratedRegex(@"displayName: '([^']+)'")]
    private static partial Regex DisplayName();

    [GeneratedRegex(@"[Rr]eference §(\d+(?:\.\d+)?)")]
    private static partial Regex Citation();
}
