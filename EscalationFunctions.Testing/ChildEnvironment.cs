using System.Collections;
using EscalationFunctions.Engine.Settings;

namespace EscalationFunctions.Testing;

/// <summary>
/// What a child process (the plain server, the Functions worker, a script) must not inherit from the
/// test runner: every setting <see cref="SettingNames"/> names, and the Azure, Functions and ASP.NET
/// Core variables a developer's or CI's shell may carry. Built from <see cref="SettingNames"/> itself,
/// so a setting added there is stripped without anyone remembering to list it here.
/// </summary>
public static class ChildEnvironment
{
    /// <summary>Every setting name (<see cref="SettingNames.All"/>).</summary>
    public static IReadOnlySet<string> Settings { get; } = SettingNames.All.ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// Families of variables that configure this worker or the platforms it runs on: ours (ESC*,
    /// SLACK_, OPS_, KEY_VAULT_), ASP.NET Core's (a URL list would move the child's port), the
    /// Functions host's and Azure's (app settings, identity, Application Insights).
    /// </summary>
    private static readonly string[] Prefixes =
    [
        "ESC", "SLACK_", "OPS_", "KEY_VAULT_", "ASPNETCORE_", "FUNCTIONS_", "AzureWebJobs", "AZURE_", "WEBSITE_",
        "APPLICATIONINSIGHTS_", "IDENTITY_", "MSI_",
    ];

    /// <summary>True for a variable a child must get only when a test gives it.</summary>
    public static bool MustNotInherit(string name) =>
        Settings.Contains(name) || Prefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal));

    /// <summary>
    /// The environment for a child: <paramref name="inherited"/> (this process's when null) without
    /// what <see cref="MustNotInherit"/> names and without what <paramref name="alsoStrip"/> matches,
    /// then <paramref name="given"/> on top.
    /// </summary>
    public static Dictionary<string, string> Hermetic(
        IReadOnlyDictionary<string, string>? given, IReadOnlyDictionary<string, string>? inherited = null, Func<string, bool>? alsoStrip = null)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in inherited ?? Current())
        {
            if (!MustNotInherit(name) && alsoStrip?.Invoke(name) != true)
            {
                env[name] = value;
            }
        }
        foreach (var (name, value) in given ?? new Dictionary<string, string>())
        {
            env[name] = value;
        }
        return env;
    }

    /// <summary>This process's environment.</summary>
    public static Dictionary<string, string> Current()
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            env[(string)entry.Key] = (string?)entry.Value ?? "";
        }
        return env;
    }
}
