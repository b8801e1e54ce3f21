using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using EscalationFunctions.Engine.Settings;

namespace EscalationFunctions.Testing;

/// <summary>
/// The plain server (<c>EscalationFunctions.Server</c>) as a child process with exactly the given
/// settings: nothing leaks in from the test runner's environment. Its output is kept for
/// assertions and for failure messages.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private const string ReadyMarker = "EscalationFunctions server listening on";

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private Uri? _baseUrl;

    private ServerProcess(Process process)
    {
        _process = process;
    }

    /// <summary>Where the server listens: the address its start line names, known once it is ready.</summary>
    public Uri BaseUrl => _baseUrl ?? throw new InvalidOperationException("The server has not said where it listens yet.");
    public string Output => string.Join('\n', _output);
    public bool HasExited => _process.HasExited;
    public int Id => _process.Id;

    /// <summary>Starts the server and waits until it listens. Fails with its output if it exits first.</summary>
    public static async Task<ServerProcess> StartAsync(Dictionary<string, string> settings, TimeSpan? readyTimeout = null)
    {
        var server = Launch(settings, ["serve"], out _);
        var timeout = Task.Delay(readyTimeout ?? TimeSpan.FromSeconds(60));
        var exited = server._process.WaitForExitAsync();
        var first = await Task.WhenAny(server._ready.Task, exited, timeout);
        if (first != server._ready.Task)
        {
            var why = first == exited ? $"exited with code {server._process.ExitCode}" : "did not get ready in time";
            await server.DisposeAsync();
            throw new InvalidOperationException($"Server {why}. Output:\n{server.Output}");
        }
        return server;
    }

    /// <summary>Runs the server binary to completion (a command, or a start that must fail).</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunToExitAsync(
        Dictionary<string, string> settings, string[] args, TimeSpan? timeout = null)
    {
        var server = Launch(settings, args, out var stderr);
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await server._process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            server.Kill();
            throw new TimeoutException($"Server '{string.Join(' ', args)}' did not exit. Output:\n{server.Output}");
        }
        server._process.WaitForExit(); // flushes the redirected streams
        return (server._process.ExitCode, server.Output, string.Join('\n', stderr));
    }

    /// <summary>SIGKILL: no shutdown hooks run, like a crashed or evicted instance.</summary>
    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
        _process.WaitForExit();
    }

    /// <summary>Asks the server to shut down gracefully (SIGTERM) and waits for it.</summary>
    public async Task StopAsync(TimeSpan? timeout = null)
    {
        if (_process.HasExited)
        {
            return;
        }
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString()]))
        {
            await kill.WaitForExitAsync();
        }
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Kill();
        }
        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    /// <summary>
    /// A loopback port that is free now, for a process that will bind it later (a script's worker
    /// or database). It comes from below the kernel's ephemeral range, which every outgoing
    /// connection of the suite draws its local port from: a port handed out here cannot be taken
    /// by a test's HTTP or database client between now and the bind, only by another process that
    /// asks for it by number. Never the same port twice in one test run.
    /// </summary>
    public static int FreePort()
    {
        lock (HandedOut)
        {
            for (var attempt = 0; attempt < 1000; attempt++)
            {
                var port = Random.Shared.Next(FixedPortsFrom, EphemeralPortsFrom.Value);
                if (HandedOut.Add(port) && IsFree(port))
                {
                    return port;
                }
            }
        }
        throw new InvalidOperationException($"No free loopback port between {FixedPortsFrom} and {EphemeralPortsFrom.Value}.");
    }

    private const int FixedPortsFrom = 20000;
    private static readonly HashSet<int> HandedOut = [];
    private static readonly Lazy<int> EphemeralPortsFrom = new(() =>
    {
        // "32768\t60999": the first number is where the kernel starts handing out client ports.
        const string range = "/proc/sys/net/ipv4/ip_local_port_range";
        var first = File.Exists(range) ? File.ReadAllText(range).Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries)[0] : "32768";
        return int.TryParse(first, out var from) && from > FixedPortsFrom + 1000 ? from : 32768;
    });

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static ServerProcess Launch(Dictionary<string, string> settings, string[] args, out ConcurrentQueue<string> stderr)
    {
        if (!File.Exists(RepoPaths.ServerDll))
        {
            throw new InvalidOperationException($"Server binary not found at {RepoPaths.ServerDll}; build the solution first.");
        }
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(RepoPaths.ServerDll)!,
        };
        psi.ArgumentList.Add(RepoPaths.ServerDll);
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        // Hermetic: drop every setting the runner may have in its environment, then set ours.
        foreach (var name in psi.Environment.Keys.ToList())
        {
            if (IsSetting(name))
            {
                psi.Environment.Remove(name);
            }
        }
        // Port 0: the server binds a port the kernel picks and names it in its start line, so no
        // other process can take the port between choosing and binding it.
        psi.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (name, value) in settings)
        {
            psi.Environment[name] = value;
        }

        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var server = new ServerProcess(process);
        var errors = new ConcurrentQueue<string>();
        stderr = errors;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }
            server._output.Enqueue(e.Data);
            var ready = e.Data.IndexOf(ReadyMarker, StringComparison.Ordinal);
            if (ready >= 0)
            {
                // "... listening on http://127.0.0.1:41234; <mode>. Ctrl+C stops it"
                var urls = e.Data[(ready + ReadyMarker.Length)..].TrimStart();
                server._baseUrl = new Uri(urls[..urls.IndexOfAny([';', ',', ' '])]);
                server._ready.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                server._output.Enqueue(e.Data);
                errors.Enqueue(e.Data);
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    /// <summary>A setting of ours the test runner may carry in its environment; child processes get only the ones a test gives.</summary>
    internal static bool IsSetting(string name) =>
        name.StartsWith("ESC", StringComparison.Ordinal) || name.StartsWith("SLACK_", StringComparison.Ordinal) ||
        name.StartsWith("OPS_", StringComparison.Ordinal) || name.StartsWith("ASPNETCORE_", StringComparison.Ordinal) ||
        name.StartsWith("KEY_VAULT_", StringComparison.Ordinal) ||
        name is SettingNames.MaxLevel or SettingNames.AppBaseUrl or SettingNames.PostgresConnectionString or
            SettingNames.KeyVaultUri or SettingNames.ApplicationInsightsConnectionString or SettingNames.WebsiteAuthEnabled;
}
