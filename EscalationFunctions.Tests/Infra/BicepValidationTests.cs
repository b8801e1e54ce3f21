using System.Text.Json.Nodes;
using EscalationFunctions.Testing;

namespace EscalationFunctions.Tests.Infra;

/// <summary>The templates compile and lint with the real Bicep CLI, with no diagnostic of any level.</summary>
[Lane(TestLane.Infra)]
[Collection(InfraCollection.Name)]
public class BicepValidationTests(InfraSnapshots infra)
{
    [Fact]
    public async Task Build_of_main_bicep_and_main_bicepparam_reports_no_diagnostics()
    {
        var dir = Directory.CreateTempSubdirectory("esc-bicep-build.").FullName;
        try
        {
            var build = await BicepCli.RunAsync("build", dir);
            Assert.True(build.ExitCode == 0, build.ToString());
            Assert.Empty(build.Diagnostics);
            var template = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "main.json")))!;
            Assert.True(File.Exists(Path.Combine(dir, "main.parameters.json")), build.ToString());

            // Built by the pinned CLI from infra/tools/bicep-cli.proj, not some other bicep on the machine.
            Assert.StartsWith("0.49.2", template["metadata"]?["_generator"]?["version"]?.GetValue<string>());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Every_snapshot_evaluates_without_diagnostics()
    {
        foreach (var snapshot in new[] { infra.Custom, infra.Default, infra.WithOperators, infra.WithoutVnet })
        {
            Assert.True(snapshot.Root["diagnostics"] is JsonArray { Count: 0 }, $"{snapshot.Name}: {snapshot.Root["diagnostics"]?.ToJsonString()}");
            Assert.True(snapshot.Resources.Count >= 20, $"{snapshot.Name}: only {snapshot.Resources.Count} resources.");
            // Each in the placeholder resource group (an id stays an expression where a name is known only to Azure).
            Assert.All(snapshot.Resources, r => Assert.Contains(Snapshot.Str(r["id"]).StartsWith('[')
                ? $"'{InfraSnapshots.SubscriptionId}', '{InfraSnapshots.ResourceGroup}'"
                : $"/subscriptions/{InfraSnapshots.SubscriptionId}/resourceGroups/{InfraSnapshots.ResourceGroup}/", Snapshot.Str(r["id"])));
        }
        Assert.Equal(InfraSnapshots.Location, infra.Default.Outputs["AZURE_LOCATION"]!.GetValue<string>());
    }

    [Fact]
    public async Task Lint_of_every_bicep_file_reports_no_diagnostics()
    {
        var result = await BicepCli.RunAsync("lint");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Empty(result.Diagnostics);
        foreach (var file in new[] { "infra/main.bicep", "infra/main.bicepparam", "infra/modules/functionapp.bicep", "infra/modules/network.bicep" })
        {
            Assert.Contains($"== bicep lint {file}", result.StdErr);
        }
    }

    [Fact]
    public async Task A_warning_fails_lint_and_build()
    {
        // A copy of the tooling around a template whose only problem is a warning (an unused
        // parameter is an error by bicepconfig.json; an unknown resource type is a plain warning).
        var root = Directory.CreateTempSubdirectory("esc-bicep-warning.").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "scripts"));
            Directory.CreateDirectory(Path.Combine(root, "infra", "tools"));
            File.Copy(BicepCli.Script, Path.Combine(root, "scripts", "bicep.sh"));
            File.Copy(Path.Combine(RepoPaths.Root, "infra", "tools", "bicep-cli.proj"), Path.Combine(root, "infra", "tools", "bicep-cli.proj"));
            File.Copy(Path.Combine(RepoPaths.Root, "nuget.config"), Path.Combine(root, "nuget.config"));
            File.Copy(Path.Combine(RepoPaths.Root, "bicepconfig.json"), Path.Combine(root, "bicepconfig.json"));
            await File.WriteAllTextAsync(Path.Combine(root, "infra", "main.bicep"), """
                param location string = resourceGroup().location
                resource thing 'Microsoft.Contoso/widgets@2020-01-01' = {
                  name: 'w'
                  location: location
                }
                output id string = thing.id
                """);
            await File.WriteAllTextAsync(Path.Combine(root, "infra", "main.bicepparam"), "using 'main.bicep'\n");

            var script = Path.Combine(root, "scripts", "bicep.sh");
            var lint = await BicepCli.RunScriptAsync(script, ["lint"]);
            var build = await BicepCli.RunScriptAsync(script, ["build", Path.Combine(root, "out")]);

            Assert.True(lint.ExitCode != 0, $"lint passed despite a warning:\n{lint}");
            Assert.Contains("Warning BCP081", lint.StdErr);
            Assert.True(build.ExitCode != 0, $"build passed despite a warning:\n{build}");
            Assert.Contains("warnings count as failures", build.StdErr);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Bicepconfig_makes_the_rules_that_guard_secrets_and_review_errors()
    {
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "bicepconfig.json")))!;
        var rules = config["analyzers"]?["core"]?["rules"] as JsonObject;
        Assert.NotNull(rules);
        Assert.True(config["analyzers"]?["core"]?["enabled"]?.GetValue<bool>() ?? true);

        string[] mustBeErrors =
        [
            "secure-parameter-default", "outputs-should-not-contain-secrets", "no-hardcoded-env-urls", "no-unused-params",
            "no-unused-vars", "use-secure-value-for-secure-inputs", "secure-secrets-in-params", "use-resource-symbol-reference",
            "no-unnecessary-dependson", "prefer-interpolation", "use-stable-resource-identifiers", "adminusername-should-not-be-literal",
            "protect-commandtoexecute-secrets", "secure-params-in-nested-deploy", "what-if-short-circuiting",
        ];
        foreach (var rule in mustBeErrors)
        {
            Assert.True(rules![rule]?["level"]?.GetValue<string>() == "error", $"bicepconfig.json: rule '{rule}' must have level 'error'.");
        }
    }
}
