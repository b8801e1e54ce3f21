using EscalationFunctions.Testing;

namespace EscalationFunctions.Tests.Scripts;

/// <summary>A bash command run by <see cref="ChildProcess"/>. A null value in the environment removes that variable.</summary>
public static class ShellRun
{
    public static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string workingDirectory, string command,
        IReadOnlyDictionary<string, string?>? environment = null, TimeSpan? timeout = null) =>
        ChildProcess.RunAsync(Start(workingDirectory, command, environment), timeout ?? TimeSpan.FromMinutes(2));

    public static ChildProcessStart Start(string workingDirectory, string command, IReadOnlyDictionary<string, string?>? environment = null) =>
        new("bash", ["-c", command]) { WorkingDirectory = workingDirectory, Environment = environment };
}
