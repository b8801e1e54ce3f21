namespace EscalationFunctions.Testing.FunctionsHost;

/// <summary>
/// The compiled Functions app started as Azure's host starts a .NET isolated worker:
/// <c>dotnet EscalationFunctions.dll</c> with the gRPC address and ids on the command line, the
/// app and worker directories in the environment, and exactly the given app settings (nothing leaks
/// in from the test runner). Its stdout and stderr are kept for assertions and failure messages.
/// </summary>
internal sealed class WorkerProcess : IAsyncDisposable
{
    private readonly ChildProcess _process;

    private WorkerProcess(ChildProcess process)
    {
        _process = process;
        Exited = process.WaitForExitAsync();
    }

    public string Output => _process.Output;

    /// <summary>Completes at the exit, once the redirected output has been read to its end.</summary>
    public Task Exited { get; }
    public int ExitCode => _process.ExitCode;
    public bool HasExited => _process.HasExited;
    public int Id => _process.Id;

    public static WorkerProcess Start(string appDirectory, string workerDll, Uri grpcUri, string workerId, IReadOnlyDictionary<string, string> appSettings)
    {
        var environment = new Dictionary<string, string?>
        {
            ["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated",
            ["FUNCTIONS_APPLICATION_DIRECTORY"] = appDirectory,
            ["FUNCTIONS_WORKER_DIRECTORY"] = appDirectory,
            ["DOTNET_NOLOGO"] = "1",
        };
        foreach (var (name, value) in appSettings)
        {
            environment[name] = value;
        }
        // The arguments worker 2.x reads (WorkerHostBuilderExtensions); without the message length
        // the worker fails at StartStream.
        return new WorkerProcess(ChildProcess.Start(new ChildProcessStart("dotnet",
        [
            Path.Combine(appDirectory, workerDll),
            "--functions-uri", grpcUri.AbsoluteUri,
            "--functions-worker-id", workerId,
            "--functions-request-id", Guid.NewGuid().ToString(),
            "--functions-grpc-max-message-length", int.MaxValue.ToString(),
        ])
        {
            WorkingDirectory = appDirectory,
            Environment = environment,
            Hermetic = true,
        }));
    }

    /// <summary>Kills the worker and every process it started.</summary>
    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
