using System.Net;
using System.Net.Sockets;

namespace EscalationFunctions.Testing;

/// <summary>
/// The plain server (<c>EscalationFunctions.Server</c>) as a child process with exactly the given
/// settings: nothing leaks in from the test runner's environment. Its output is kept for
/// assertions and for failure messages.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private const string ReadyMarker = "EscalationFunctions server listening on";

    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ChildProcess _process = null!;
    private Uri? _baseUrl;

    private ServerProcess()
    {
    }

    /// <summary>Where the server listens: the address its start line names, known once it is ready.</summary>
    public Uri BaseUrl => _baseUrl ?? throw new InvalidOperationException("The server has not said where it listens yet.");
    public string Output => _process.Output;
    public bool HasExited => _process.HasExited;
    public int Id => _process.Id;

    /// <summary>Starts the server and waits until it listens. Fails with its output if it exits first.</summary>
    public static async Task<ServerProcess> StartAsync(Dictionary<string, string> settings, TimeSpan? readyTimeout = null)
    {
        var server = Launch(settings, ["serve"]);
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
        await using var server = Launch(settings, args);
        if (!await server._process.WaitForExitAsync(timeout ?? TimeSpan.FromSeconds(60)))
        {
            throw new TimeoutException($"Server '{string.Join(' ', args)}' did not exit. Output:\n{server.Output}");
        }
        return (server._process.ExitCode, server.Output, string.Join('\n', server._process.StderrLines));
    }

    /// <summary>SIGKILL: no shutdown hooks run, like a crashed or evicted instance.</summary>
    public void Kill() => _process.Kill();

    /// <summary>Asks the server to shut down gracefully (SIGTERM) and waits for it.</summary>
    public async Task StopAsync(TimeSpan? timeout = null)
    {
        if (_process.HasExited)
        {
            return;
        }
        await ChildProcess.RunAsync(new ChildProcessStart("kill", ["-TERM", _process.Id.ToString()]), TimeSpan.FromSeconds(10));
        await _process.WaitForExitAsync(timeout ?? TimeSpan.FromSeconds(30));
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();

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

    private static ServerProcess Launch(Dictionary<string, string> settings, string[] args)
    {
        if (!File.Exists(RepoPaths.ServerDll))
        {
            throw new InvalidOperationException($"Server binary not found at {RepoPaths.ServerDll}; build the solution first.");
        }
        var environment = new Dictionary<string, string?>
        {
            // Port 0: the server binds a port the kernel picks and names it in its start line, so no
            // other process can take the port between choosing and binding it.
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
            ["DOTNET_NOLOGO"] = "1",
        };
        foreach (var (name, value) in settings)
        {
            environment[name] = value;
        }
        var server = new ServerProcess();
        // Hermetic: none of the settings the runner may have in its environment, only ours.
        server._process = ChildProcess.Start(new ChildProcessStart("dotnet", [RepoPaths.ServerDll, .. args])
        {
            WorkingDirectory = Path.GetDirectoryName(RepoPaths.ServerDll)!,
            Environment = environment,
            Hermetic = true,
            OnStdoutLine = server.OnStdoutLine,
        });
        return server;
    }

    private void OnStdoutLine(string line)
    {
        var ready = line.IndexOf(ReadyMarker, StringComparison.Ordinal);
        if (ready >= 0)
        {
            // "... listening on http://127.0.0.1:41234; <mode>. Ctrl+C stops it"
            var urls = line[(ready + ReadyMarker.Length)..].TrimStart();
            _baseUrl = new Uri(urls[..urls.IndexOfAny([';', ',', ' '])]);
            _ready.TrySetResult();
        }
    }
}
