using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Support;

namespace EscalationFunctions.Tests.Scripts;

/// <summary>
/// A newcomer's checkout in a temporary folder: the scripts and the README as committed, the server
/// as the test run built it (linked in; <c>RUN_LOCAL_NO_BUILD=1</c>), and its own <c>.local/</c>,
/// so <c>scripts/run-local.sh</c> runs exactly as documented without touching the developer's
/// <c>.local/</c>, port 7071 or 55432. The worker listens on a free port (<c>ASPNETCORE_URLS</c>).
/// </summary>
public sealed class LocalCheckout : IAsyncLifetime
{
    /// <summary>Beyond the settings (<see cref="ChildEnvironment"/>): what the scripts themselves read.</summary>
    private static readonly string[] ScriptPrefixes = ["POSTGRES_", "RUN_LOCAL_"];

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("esc-checkout-");
    private ChildProcess? _worker;

    public string Root => _dir.FullName;
    public int WorkerPort { get; } = ServerProcess.FreePort();
    public string WorkerOutput => _worker?.Output ?? "";

    /// <summary>The environment of a fresh shell: none of the worker's settings (null removes), the server already built.</summary>
    public Dictionary<string, string?> Environment(Dictionary<string, string>? extra = null)
    {
        var env = new Dictionary<string, string?>();
        foreach (var name in System.Environment.GetEnvironmentVariables().Keys.Cast<string>())
        {
            if (ChildEnvironment.MustNotInherit(name) || ScriptPrefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal)))
            {
                env[name] = null;
            }
        }
        var fresh = new Dictionary<string, string>
        {
            ["RUN_LOCAL_NO_BUILD"] = "1",
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{WorkerPort}",
            ["USER"] = "newcomer",
            ["DOTNET_NOLOGO"] = "1",
        };
        foreach (var (name, value) in fresh.Concat(extra ?? []))
        {
            env[name] = value;
        }
        return env;
    }

    public Task InitializeAsync()
    {
        // PostgreSQL runs as `postgres` when the tests run as root: it must reach the folder.
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(Root, (UnixFileMode)0b111_101_101);
        Directory.CreateDirectory(Path.Combine(Root, "scripts"));
        foreach (var script in Directory.GetFiles(Path.Combine(RepoPaths.Root, "scripts"), "*.sh"))
        {
            File.Copy(script, Path.Combine(Root, "scripts", Path.GetFileName(script)));
        }
        File.Copy(Path.Combine(RepoPaths.Root, "README.md"), Path.Combine(Root, "README.md"));
        Directory.CreateDirectory(Path.Combine(Root, "docs"));
        File.Copy(Path.Combine(RepoPaths.Root, "docs", "manual.md"), Path.Combine(Root, "docs", "manual.md"));
        var bin = Path.Combine(Root, "EscalationFunctions.Server", "bin", "Release");
        Directory.CreateDirectory(bin);
        Directory.CreateSymbolicLink(Path.Combine(bin, "net10.0"), Path.GetDirectoryName(RepoPaths.ServerDll)!);

        // A free port for the cluster, so parallel runs never race for the script's default 55432.
        var pg = Directory.CreateDirectory(Path.Combine(Root, ".local", "postgres")).FullName;
        File.WriteAllText(Path.Combine(pg, "port"), ServerProcess.FreePort() + "\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(Path.Combine(pg, "port"), (UnixFileMode)0b110_110_110);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await RunAsync("scripts/run-local.sh stop");
        if (_worker is not null)
        {
            await _worker.DisposeAsync();
        }
        _dir.Delete(recursive: true);
    }

    /// <summary>Runs a command in the checkout as a fresh shell would, plus <paramref name="extra"/> settings.</summary>
    public Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string command, Dictionary<string, string>? extra = null) =>
        ShellRun.RunAsync(Root, command, Environment(extra), TimeSpan.FromMinutes(3));

    /// <summary>Starts <c>scripts/run-local.sh</c> (as terminal 1) and waits until it wrote <c>.local/env</c>.</summary>
    public async Task StartWorkerAsync(string command = "scripts/run-local.sh", Dictionary<string, string>? extra = null)
    {
        var envFile = Path.Combine(Root, ".local", "env");
        var before = File.Exists(envFile) ? File.GetLastWriteTimeUtc(envFile) : DateTime.MinValue;
        _worker = ChildProcess.Start(ShellRun.Start(Root, command, Environment(extra)));
        await Eventually.TrueAsync(
            () => Task.FromResult(_worker.HasExited || (File.Exists(envFile) && File.GetLastWriteTimeUtc(envFile) > before)),
            TimeSpan.FromMinutes(2), "run-local.sh writes .local/env");
        Assert.False(_worker.HasExited, $"run-local.sh exited with {(_worker.HasExited ? _worker.ExitCode : 0)}:\n{WorkerOutput}");
    }

    /// <summary>Waits for the worker started by <see cref="StartWorkerAsync"/> to end, and returns its exit code.</summary>
    public async Task<int> WorkerExitAsync()
    {
        if (!await _worker!.WaitForExitAsync(TimeSpan.FromSeconds(60)))
        {
            throw new TimeoutException($"run-local.sh did not exit within 60 s:\n{WorkerOutput}");
        }
        return _worker.ExitCode;
    }

    public int? WorkerPid => int.TryParse(ReadLocal("worker.pid")?.Trim(), out var pid) ? pid : null;

    public string? ReadLocal(string name) => File.Exists(Path.Combine(Root, ".local", name)) ? File.ReadAllText(Path.Combine(Root, ".local", name)) : null;

    public void WriteLocal(string name, string text) => File.WriteAllText(Path.Combine(Root, ".local", name), text);
}
