using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;

namespace EscalationFunctions.Testing;

/// <summary>
/// A process started by a test or a benchmark: the given environment, stdout and stderr captured
/// (exactly, and as lines of both in arrival order), waits bounded by a timeout, and a kill that
/// takes the whole tree (a script's children, the server a script started).
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly ConcurrentQueue<string> _stderrLines = new();
    private readonly Task _pumps;

    private ChildProcess(Process process, Action<string>? onStdoutLine)
    {
        _process = process;
        _pumps = Task.WhenAll(
            PumpAsync(process.StandardOutput, _stdout, line =>
            {
                _lines.Enqueue(line);
                onStdoutLine?.Invoke(line);
            }),
            PumpAsync(process.StandardError, _stderr, line =>
            {
                _lines.Enqueue(line);
                _stderrLines.Enqueue(line);
            }));
    }

    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    /// <summary>Every line of stdout and stderr, in the order they arrived.</summary>
    public string Output => string.Join('\n', _lines);

    /// <summary>Stdout exactly as written (complete once the process has exited and been waited for).</summary>
    public string Stdout
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
    }

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public IReadOnlyList<string> StderrLines => _stderrLines.ToArray();

    public static ChildProcess Start(ChildProcessStart start)
    {
        var psi = new ProcessStartInfo(start.FileName, start.Arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (start.WorkingDirectory is { } dir)
        {
            psi.WorkingDirectory = dir;
        }
        psi.Environment.Clear();
        var inherited = start.Inherited ?? ChildEnvironment.Current();
        foreach (var (name, value) in start.Hermetic ? ChildEnvironment.Hermetic(null, inherited) : inherited)
        {
            psi.Environment[name] = value;
        }
        foreach (var (name, value) in start.Environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                psi.Environment.Remove(name);
            }
            else
            {
                psi.Environment[name] = value;
            }
        }
        var process = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {start.FileName}.");
        return new ChildProcess(process, start.OnStdoutLine);
    }

    /// <summary>Runs to completion; on timeout kills the tree and throws with what it wrote.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(ChildProcessStart start, TimeSpan timeout)
    {
        await using var child = Start(start);
        if (!await child.WaitForExitAsync(timeout))
        {
            throw new TimeoutException(
                $"'{start.FileName} {string.Join(' ', start.Arguments)}' did not finish within {timeout}. Output:\n{child.Output}");
        }
        return (child.ExitCode, child.Stdout, child.Stderr);
    }

    /// <summary>
    /// Waits for the exit and for the output to be read to its end. False when <paramref name="timeout"/>
    /// passed first: the tree has then been killed.
    /// </summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            return false;
        }
        await _pumps;
        return true;
    }

    /// <summary>Waits, without a bound, for the exit and for the output to be read to its end.</summary>
    public async Task WaitForExitAsync()
    {
        await _process.WaitForExitAsync();
        await _pumps;
    }

    /// <summary>SIGKILL to the process and every process it started: no shutdown hooks run.</summary>
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

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Kill();
        }
        await _process.WaitForExitAsync();
        // A daemon the child started outside its tree may hold the pipes open: do not wait for it forever.
        await Task.WhenAny(_pumps, Task.Delay(TimeSpan.FromSeconds(10)));
        _process.Dispose();
    }

    private static async Task PumpAsync(StreamReader reader, StringBuilder all, Action<string> onLine)
    {
        var buffer = new char[4096];
        var line = new StringBuilder();
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
        {
            lock (all)
            {
                all.Append(buffer, 0, read);
            }
            for (var i = 0; i < read; i++)
            {
                if (buffer[i] == '\n')
                {
                    onLine(line.ToString().TrimEnd('\r'));
                    line.Clear();
                }
                else
                {
                    line.Append(buffer[i]);
                }
            }
        }
        if (line.Length > 0)
        {
            onLine(line.ToString());
        }
    }
}
