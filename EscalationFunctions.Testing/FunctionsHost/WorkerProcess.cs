using System.Collections.Concurrent;
using System.Diagnostics;

namespace EscalationFunctions.Testing.FunctionsHost;

/// <summary>
/// The compiled Functions app started as Azure's host starts a .NET isolated worker:
/// <c>dotnet EscalationFunctions.dll</c> with the gRPC address and ids on the command line, the
/// app and worker directories in the environment, and exactly the given app settings (nothing leaks
/// in from the test runner). Its stdout and stderr are kept for assertions and failure messages.
/// </summary>
internal sealed class WorkerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private WorkerProcess(Process process) => _process = process;

    public string Output => string.Join('\n', _output);
    public Task Exited { get; private set; } = Task.CompletedTask;
    public int ExitCode => _process.ExitCode;
    public bool HasExited => _process.HasExited;
    public int Id => _process.Id;

    public static WorkerProcess Start(string appDirectory, string workerDll, Uri grpcUri, string workerId, IReadOnlyDictionary<string, string> appSettings)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = appDirectory,
        };
        // The arguments worker 2.x reads (WorkerHostBuilderExtensions); without the message length
        // the worker fails at StartStream.
        foreach (var arg in new[]
                 {
                     Path.Combine(appDirectory, workerDll),
                     "--functions-uri", grpcUri.AbsoluteUri,
                     "--functions-worker-id", workerId,
                     "--functions-request-id", Guid.NewGuid().ToString(),
                     "--functions-grpc-max-message-length", int.MaxValue.ToString(),
                 })
        {
            psi.ArgumentList.Add(arg);
        }

        foreach (var name in psi.Environment.Keys.Where(n => ServerProcess.IsSetting(n) || n.StartsWith("FUNCTIONS_", StringComparison.Ordinal)).ToList())
        {
            psi.Environment.Remove(name);
        }
        psi.Environment["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated";
        psi.Environment["FUNCTIONS_APPLICATION_DIRECTORY"] = appDirectory;
        psi.Environment["FUNCTIONS_WORKER_DIRECTORY"] = appDirectory;
        psi.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (name, value) in appSettings)
        {
            psi.Environment[name] = value;
        }

        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var worker = new WorkerProcess(process);
        process.OutputDataReceived += (_, e) => worker.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => worker.Keep(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        worker.Exited = ExitedAsync(process);
        return worker;
    }

    /// <summary>Waits for the exit, and for the redirected output to be read to its end.</summary>
    private static async Task ExitedAsync(Process process)
    {
        await process.WaitForExitAsync();
        process.WaitForExit();
    }

    private void Keep(string? line)
    {
        if (line is not null)
        {
            _output.Enqueue(line);
        }
    }

    /// <summary>Kills the worker and every process it started.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
        await Exited;
        _process.Dispose();
    }
}
