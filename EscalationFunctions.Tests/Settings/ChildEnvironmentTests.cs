using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Testing;

namespace EscalationFunctions.Tests.Settings;

/// <summary>
/// A setting exported in the test runner's shell (POSTGRES_AUTH=entra, say) must not reach the
/// server or Functions worker a test starts: the child would run with settings the test never gave.
/// </summary>
[Lane(TestLane.Process)]
public sealed class ChildEnvironmentTests
{
    private static readonly IReadOnlyList<string> EverySetting = SettingNames.All;

    [Fact]
    public async Task No_exported_setting_reaches_a_hermetic_child()
    {
        var exported = ChildEnvironment.Current();
        foreach (var name in EverySetting)
        {
            exported[name] = "exported-by-the-runner";
        }
        exported[SettingNames.PostgresAuth] = "entra";
        exported["AZURE_CLIENT_ID"] = "exported-by-the-runner";
        exported["FUNCTIONS_WORKER_RUNTIME"] = "exported-by-the-runner";

        var seen = await ChildEnvironmentOfAsync(new ChildProcessStart("env", ["-0"]) { Inherited = exported, Hermetic = true });

        Assert.Contains(SettingNames.PostgresAuth, EverySetting);
        var leaked = EverySetting.Where(seen.ContainsKey).ToArray();
        Assert.True(leaked.Length == 0, $"Reached the child: {string.Join(", ", leaked)}");
        Assert.False(seen.ContainsKey("AZURE_CLIENT_ID"));
        Assert.False(seen.ContainsKey("FUNCTIONS_WORKER_RUNTIME"));
        // What is not a setting still reaches it: the child needs PATH to find dotnet.
        Assert.Equal(exported["PATH"], seen["PATH"]);
    }

    [Fact]
    public async Task A_setting_the_test_gives_reaches_a_hermetic_child_with_its_value()
    {
        var exported = ChildEnvironment.Current();
        exported[SettingNames.PostgresAuth] = "entra";

        var seen = await ChildEnvironmentOfAsync(new ChildProcessStart("env", ["-0"])
        {
            Inherited = exported,
            Hermetic = true,
            Environment = new Dictionary<string, string?> { [SettingNames.PostgresAuth] = "password" },
        });

        Assert.Equal("password", seen[SettingNames.PostgresAuth]);
    }

    private static async Task<Dictionary<string, string>> ChildEnvironmentOfAsync(ChildProcessStart start)
    {
        var (exit, stdout, stderr) = await ChildProcess.RunAsync(start, TimeSpan.FromSeconds(30));
        Assert.True(exit == 0, stderr);
        return stdout.Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .Select(entry => entry.Split('=', 2))
            .ToDictionary(pair => pair[0], pair => pair.Length > 1 ? pair[1] : "");
    }
}
