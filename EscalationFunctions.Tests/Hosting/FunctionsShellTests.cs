using System.Text.Json;
using System.Text.RegularExpressions;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Hosting;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Docs;

namespace EscalationFunctions.Tests.Hosting;

/// <summary>
/// The Functions project stays a thin shell: what it does is proven by running its compiled worker
/// (Tests/Functions); these guards only keep logic from creeping into it, and keep the files it
/// ships with (host.json, the example settings) valid.
/// </summary>
[Lane(TestLane.Unit)]
public class FunctionsShellTests
{
    private const int MaxLinesPerFile = 60;

    private static readonly string Shell = Path.Combine(RepoPaths.Root, "EscalationFunctions");

    private static IEnumerable<string> SourceFiles(string folder) =>
        Directory.GetFiles(folder, "*.cs", SearchOption.AllDirectories).Where(f => !f.Contains("/obj/") && !f.Contains("/bin/"));

    [Fact]
    public void Every_file_of_the_shell_is_short()
    {
        foreach (var file in SourceFiles(Shell))
        {
            var lines = File.ReadAllLines(file).Length;
            Assert.True(lines <= MaxLinesPerFile, $"{Path.GetRelativePath(Shell, file)} has {lines} lines; move the logic to EscalationFunctions.Hosting or the engine.");
        }
    }

    [Fact]
    public void Functions_hold_no_branches_loops_or_SQL_only_calls_into_tested_code()
    {
        var functions = SourceFiles(Path.Combine(Shell, "Functions")).ToList();
        Assert.NotEmpty(functions);
        foreach (var file in functions)
        {
            var code = string.Join('\n', File.ReadAllLines(file).Where(l => !l.TrimStart().StartsWith("//")));
            Assert.DoesNotMatch(new Regex(@"\b(if|else|for|foreach|while|switch|catch|try)\b"), code);
            Assert.DoesNotContain("Npgsql", code);
        }
    }

    [Fact]
    public void Host_json_serves_the_routes_without_a_prefix_bounds_runs_and_keeps_information_logs()
    {
        var host = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "host.json"))).RootElement;

        Assert.Equal("2.0", host.GetProperty("version").GetString());
        Assert.Equal("", host.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());
        Assert.True(TimeSpan.TryParse(host.GetProperty("functionTimeout").GetString(), out var timeout) && timeout > TimeSpan.Zero);
        Assert.Equal("Information", host.GetProperty("logging").GetProperty("logLevel").GetProperty("default").GetString());
    }

    [Fact]
    public void Local_settings_example_has_every_setting_with_safe_local_values_that_pass_validation()
    {
        var values = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "local.settings.example.json")))
            .RootElement.GetProperty("Values").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);

        // Derived from SettingNames, so a setting added there is missed here at once.
        foreach (var name in ReferenceTests.FunctionsAppSettingNames())
        {
            Assert.True(values.ContainsKey(name), $"local.settings.example.json lacks {name}");
        }
        Assert.Equal("UseDevelopmentStorage=true", values["AzureWebJobsStorage"]);
        Assert.Equal("dotnet-isolated", values["FUNCTIONS_WORKER_RUNTIME"]);
        var (settings, _) = HostSettingsReader.Read(n => values.GetValueOrDefault(n), out _, requireTickSchedule: true);
        Assert.Contains("127.0.0.1", settings.Connections.PostgresConnectionString);
        Assert.True(settings.Slack.AppBaseUrl.IsLoopback);
    }
}
