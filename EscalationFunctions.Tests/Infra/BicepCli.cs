using EscalationFunctions.Testing;

namespace EscalationFunctions.Tests.Infra;

/// <summary>
/// Runs the real Bicep CLI through <c>scripts/bicep.sh</c> (which installs it from NuGet on first
/// use). A failure to install or run it is a test failure with the script's output, never a skip.
/// </summary>
public static class BicepCli
{
    /// <summary>Environment variables infra/main.bicepparam reads: removed so builds do not depend on the caller's shell.</summary>
    public static readonly IReadOnlyList<string> ParameterEnvironment =
        ["AZURE_ENV_NAME", "AZURE_PRINCIPAL_ID", "APP_BASE_URL", "ALERT_EMAIL_ADDRESS", "AUTH_CLIENT_ID", "KEY_VAULT_ALLOWED_IPS"];

    public static string Script => RepoPaths.Script("bicep.sh");

    public sealed record Result(int ExitCode, string StdOut, string StdErr)
    {
        /// <summary>Diagnostic lines in Bicep's format: "file(line,col) : Warning rule: message".</summary>
        public IReadOnlyList<string> Diagnostics =>
            StdErr.Split('\n').Where(l => l.Contains(") : Error ", StringComparison.Ordinal)
                                       || l.Contains(") : Warning ", StringComparison.Ordinal)
                                       || l.Contains(") : Info ", StringComparison.Ordinal)).ToList();

        public override string ToString() => $"exit {ExitCode}\n--- stdout\n{StdOut}\n--- stderr\n{StdErr}";
    }

    public static Task<Result> RunAsync(params string[] args) => RunScriptAsync(Script, args);

    /// <summary>Runs bicep.sh with <paramref name="environment"/> as the only parameter variables it sees.</summary>
    public static Task<Result> RunWithAsync(IReadOnlyDictionary<string, string> environment, params string[] args) =>
        RunScriptAsync(Script, args, environment);

    /// <summary>Runs a copy of bicep.sh (see the warning test); <see cref="RunAsync"/> runs the repository's.</summary>
    public static async Task<Result> RunScriptAsync(string script, IReadOnlyList<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var env = new Dictionary<string, string?>();
        foreach (var name in ParameterEnvironment)
        {
            env[name] = null;
        }
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            env[name] = value;
        }
        await using var process = ChildProcess.Start(new ChildProcessStart("bash", [script, .. args])
        {
            WorkingDirectory = Path.GetDirectoryName(Path.GetDirectoryName(script)) ?? RepoPaths.Root,
            Environment = env,
        });
        if (!await process.WaitForExitAsync(TimeSpan.FromMinutes(10)))
        {
            throw new TimeoutException($"{script} {string.Join(' ', args)} did not finish within 10 minutes.\n{process.Stderr}");
        }
        return new Result(process.ExitCode, process.Stdout, process.Stderr);
    }

    /// <summary>Runs and requires success; the message says what failed and shows the script's output.</summary>
    public static async Task<Result> RunCheckedAsync(params string[] args)
    {
        var result = await RunAsync(args);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"scripts/bicep.sh {string.Join(' ', args)} failed. If the Bicep CLI could not be installed, check that " +
                $"'dotnet restore infra/tools/bicep-cli.proj' works on this machine.\n{result}");
        }
        return result;
    }
}
