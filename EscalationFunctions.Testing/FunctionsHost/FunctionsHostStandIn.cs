using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cronos;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace EscalationFunctions.Testing.FunctionsHost;

/// <summary>
/// Runs the compiled Functions app the way Azure's Functions host does, for tests: serves the
/// worker's gRPC event stream on loopback (h2c), starts <c>EscalationFunctions.dll</c> as its own
/// process, initializes it, asks for its function metadata, loads each function, invokes the timer,
/// and fronts the HTTP functions with function keys (<see cref="HttpFrontEnd"/>). If the worker exits
/// while the host waits on it, the wait fails at once with the worker's output. See README.md here
/// for what only Azure's host does.
/// </summary>
public sealed class FunctionsHostStandIn : IAsyncDisposable
{
    public const string WorkerDll = "EscalationFunctions.dll";

    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(60);

    private readonly IReadOnlyDictionary<string, string> _appSettings;
    private readonly ConcurrentQueue<InvocationResult> _invocations = new();
    private WebApplication? _grpc;
    private WebApplication? _frontEndApp;
    private HttpFrontEnd? _frontEnd;
    private WorkerChannel _channel = null!;
    private WorkerProcess? _worker;

    private FunctionsHostStandIn(IReadOnlyDictionary<string, string> appSettings, string functionKey)
    {
        _appSettings = appSettings;
        FunctionKey = functionKey;
    }

    /// <summary>The host's HTTP address (the front end), where a client calls the HTTP functions.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>A function key the front end accepts.</summary>
    public string FunctionKey { get; }

    /// <summary>The functions the worker reported and the host loaded.</summary>
    public IReadOnlyList<FunctionInfo> Functions { get; private set; } = [];

    /// <summary>The capabilities the worker answered to WorkerInitRequest (HttpUri among them).</summary>
    public IReadOnlyDictionary<string, string> WorkerCapabilities { get; private set; } = new Dictionary<string, string>();

    /// <summary>What the worker sent to the host as RpcLog messages.</summary>
    public IReadOnlyList<WorkerLog> Logs => _channel.Logs;

    /// <summary>The worker process's stdout and stderr.</summary>
    public string Output => _worker?.Output ?? "";

    public IReadOnlyList<InvocationResult> Invocations => _invocations.ToArray();

    public bool WorkerHasExited => _worker?.HasExited ?? true;

    /// <summary>The worker's process id (for checks that it is gone after dispose).</summary>
    public int WorkerProcessId => _worker?.Id ?? throw new InvalidOperationException("No worker was started.");

    /// <summary>
    /// Starts the worker of the app in <paramref name="appDirectory"/> (default: the build of
    /// EscalationFunctions next to this one) with <paramref name="appSettings"/> as its environment,
    /// and returns once every function is loaded. Throws <see cref="WorkerExitedException"/> when
    /// the worker exits first.
    /// </summary>
    /// <param name="functionKey">The key the front end accepts; a random one when not given.</param>
    public static async Task<FunctionsHostStandIn> StartAsync(IReadOnlyDictionary<string, string> appSettings, string? functionKey = null,
        string? appDirectory = null)
    {
        var host = new FunctionsHostStandIn(appSettings, functionKey ?? Convert.ToHexString(Guid.NewGuid().ToByteArray()).ToLowerInvariant());
        try
        {
            await host.StartCoreAsync(appDirectory ?? RepoPaths.FunctionsAppDirectory);
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    private async Task StartCoreAsync(string appDirectory)
    {
        var messages = WorkerMessages.Load(appDirectory);
        var workerId = Guid.NewGuid().ToString();
        _channel = new WorkerChannel(messages, workerId);
        Uri grpcUri;
        (_grpc, grpcUri) = await StartServerAsync(HttpProtocols.Http2, services =>
        {
            services.AddGrpc(o => o.MaxReceiveMessageSize = null);
            services.AddSingleton(_channel);
        }, app => app.MapGrpcService<WorkerStreamService>());

        _worker = WorkerProcess.Start(appDirectory, WorkerDll, grpcUri, workerId, _appSettings);
        await WhileWorkerRunsAsync(_channel.Started, "open its event stream");

        var init = await RequestAsync("workerInitRequest", new JsonObject
        {
            ["hostVersion"] = "4.0.0-standin",
            ["workerDirectory"] = appDirectory,
            ["functionAppDirectory"] = appDirectory,
            ["capabilities"] = new JsonObject(),
        });
        EnsureSuccess(init, "workerInitResponse");
        WorkerCapabilities = init.GetProperty("workerInitResponse").TryGetProperty("capabilities", out var caps)
            ? caps.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!)
            : new Dictionary<string, string>();

        var metadata = await RequestAsync("functionsMetadataRequest", new JsonObject { ["functionAppDirectory"] = appDirectory });
        EnsureSuccess(metadata, "functionMetadataResponse");
        var results = metadata.GetProperty("functionMetadataResponse").TryGetProperty("functionMetadataResults", out var r) ? r.EnumerateArray().ToList() : [];
        Functions = results.Select(FunctionInfo.From).ToList();

        // One load request per function: the worker ignores a FunctionLoadRequestCollection.
        foreach (var (function, raw) in Functions.Zip(results))
        {
            var toLoad = JsonNode.Parse(raw.GetRawText())!.AsObject();
            toLoad["scriptFile"] = Path.Combine(appDirectory, toLoad["scriptFile"]?.GetValue<string>() ?? WorkerDll);
            toLoad["directory"] = appDirectory;
            var load = await RequestAsync("functionLoadRequest", new JsonObject { ["functionId"] = function.Id, ["metadata"] = toLoad });
            EnsureSuccess(load, "functionLoadResponse");
            if (function.IsTimer)
            {
                NextOccurrence(function, DateTime.UtcNow); // the host refuses a schedule it cannot read
            }
        }

        var httpUri = WorkerCapabilities.TryGetValue("HttpUri", out var uri) ? new Uri(uri) : null;
        if (Functions.Any(f => f.IsHttp) && httpUri is null)
        {
            throw new InvalidOperationException("The worker has HTTP functions but reported no HttpUri capability (ASP.NET Core integration).");
        }
        if (httpUri is not null)
        {
            await WhileWorkerRunsAsync(WaitUntilListeningAsync(httpUri), $"listen on its HttpUri {httpUri}");
        }
        _frontEnd = new HttpFrontEnd(Functions, ReadRoutePrefix(appDirectory), httpUri ?? new Uri("http://127.0.0.1:1/"), [FunctionKey], InvokeAsync);
        (_frontEndApp, BaseUrl) = await StartServerAsync(HttpProtocols.Http1AndHttp2, services => services.AddHttpForwarder(),
            app => app.Map("/{**path}", (Microsoft.AspNetCore.Http.HttpContext context, IHttpForwarder forwarder) => _frontEnd.HandleAsync(context, forwarder)));
    }

    /// <summary>
    /// The worker reports its HttpUri before its web server listens. Azure's host copes with a few
    /// retries of the first forwarded calls (which the front end also makes); the stand-in also
    /// waits here, so that a slow machine cannot turn the first call of a test into a 500.
    /// </summary>
    private static async Task WaitUntilListeningAsync(Uri uri)
    {
        while (true)
        {
            try
            {
                using var client = new System.Net.Sockets.TcpClient();
                await client.ConnectAsync(uri.Host, uri.Port);
                return;
            }
            catch (System.Net.Sockets.SocketException)
            {
                await Task.Delay(50);
            }
        }
    }

    /// <summary>Why forwarded HTTP calls failed (forwarding errors, failed invocations), for failure messages.</summary>
    public IReadOnlyList<string> FrontEndErrors => _frontEnd?.Errors.ToArray() ?? [];

    /// <summary>One run of the timer function <paramref name="functionName"/>, with the payload Azure's host sends.</summary>
    public Task<InvocationResult> InvokeTimerAsync(string functionName, bool isPastDue = false)
    {
        var function = Functions.Single(f => f.Name == functionName && f.IsTimer);
        var now = DateTime.UtcNow;
        var timer = new JsonObject
        {
            ["Schedule"] = new JsonObject { ["AdjustForDST"] = true },
            ["ScheduleStatus"] = new JsonObject { ["Last"] = now.AddMinutes(-1), ["Next"] = NextOccurrence(function, now), ["LastUpdated"] = now },
            ["IsPastDue"] = isPastDue,
        };
        var input = new JsonObject { ["name"] = function.TriggerName, ["data"] = new JsonObject { ["json"] = timer.ToJsonString() } };
        return InvokeAsync(function, Guid.NewGuid().ToString(), new JsonObject(), input);
    }

    private Task<InvocationResult> InvokeAsync(FunctionInfo function, string invocationId, JsonObject triggerMetadata) =>
        InvokeAsync(function, invocationId, triggerMetadata,
            new JsonObject { ["name"] = function.TriggerName, ["data"] = new JsonObject { ["http"] = new JsonObject() } });

    private async Task<InvocationResult> InvokeAsync(FunctionInfo function, string invocationId, JsonObject triggerMetadata, JsonObject input)
    {
        var answer = await RequestAsync("invocationRequest", new JsonObject
        {
            ["invocationId"] = invocationId,
            ["functionId"] = function.Id,
            ["inputData"] = new JsonArray(input),
            ["triggerMetadata"] = triggerMetadata,
            // The worker reads the trace context of every invocation; it must not be missing.
            ["traceContext"] = new JsonObject
            {
                ["traceParent"] = $"00-{Guid.NewGuid():N}-{Guid.NewGuid().ToString("N")[..16]}-01",
                ["traceState"] = "",
                ["attributes"] = new JsonObject(),
            },
        });
        var response = answer.GetProperty("invocationResponse");
        var result = Result(response);
        var outcome = new InvocationResult(function.Name, invocationId, result.Succeeded, result.Exception, response.Clone());
        _invocations.Enqueue(outcome);
        return outcome;
    }

    /// <summary>Sends WorkerTerminate and waits for the worker to exit; returns its exit code.</summary>
    public async Task<int> TerminateAsync(TimeSpan? gracePeriod = null)
    {
        var worker = _worker ?? throw new InvalidOperationException("No worker was started.");
        var grace = gracePeriod ?? TimeSpan.FromSeconds(10);
        await _channel.SendAsync("workerTerminate", new JsonObject { ["gracePeriod"] = $"{(int)grace.TotalSeconds}s" });
        var within = grace + TimeSpan.FromSeconds(30);
        if (await Task.WhenAny(worker.Exited, Task.Delay(within)) != worker.Exited)
        {
            throw new TimeoutException($"The worker did not exit within {within.TotalSeconds:F0} s of WorkerTerminate. Output:\n{worker.Output}");
        }
        return worker.ExitCode;
    }

    private async Task<JsonElement> RequestAsync(string name, JsonObject content) =>
        await WhileWorkerRunsAsync(_channel.RequestAsync(name, content), $"answer {name}");

    /// <summary>Waits for <paramref name="step"/>, failing at once with the worker's output if it exits or hangs.</summary>
    private async Task<T> WhileWorkerRunsAsync<T>(Task<T> step, string what)
    {
        await WhileWorkerRunsAsync((Task)step, what);
        return await step;
    }

    private async Task WhileWorkerRunsAsync(Task step, string what)
    {
        var worker = _worker!;
        var first = await Task.WhenAny(step, worker.Exited, Task.Delay(StepTimeout));
        if (first == step)
        {
            await step;
            return;
        }
        if (first == worker.Exited)
        {
            throw new WorkerExitedException(worker.ExitCode, worker.Output, what);
        }
        throw new TimeoutException($"The worker did not {what} within {StepTimeout.TotalSeconds:F0} s. Output:\n{worker.Output}");
    }

    private DateTime NextOccurrence(FunctionInfo function, DateTime from)
    {
        var schedule = function.Schedule ?? "";
        var expression = schedule.StartsWith('%') && schedule.EndsWith('%') && schedule.Length > 2
            ? _appSettings.GetValueOrDefault(schedule[1..^1]) ?? throw new InvalidOperationException($"{function.Name}: the app setting in {schedule} is not set.")
            : schedule;
        try
        {
            return CronExpression.Parse(expression, CronFormat.IncludeSeconds).GetNextOccurrence(from) ?? from;
        }
        catch (CronFormatException e)
        {
            throw new InvalidOperationException($"{function.Name}: '{expression}' is not a 6-field NCRONTAB schedule: {e.Message}");
        }
    }

    private static void EnsureSuccess(JsonElement message, string content)
    {
        var (succeeded, exception) = Result(message.GetProperty(content));
        if (!succeeded)
        {
            throw new InvalidOperationException($"The worker failed {content}: {exception}");
        }
    }

    private static (bool Succeeded, string? Exception) Result(JsonElement response)
    {
        var result = response.TryGetProperty("result", out var r) ? r : default;
        var status = result.ValueKind == JsonValueKind.Object && result.TryGetProperty("status", out var s) ? s.GetString() : "Failure";
        var exception = result.ValueKind == JsonValueKind.Object && result.TryGetProperty("exception", out var e) ? e.ToString() : null;
        return (status == "Success", exception);
    }

    private static string ReadRoutePrefix(string appDirectory)
    {
        var hostJson = JsonNode.Parse(File.ReadAllText(Path.Combine(appDirectory, "host.json")));
        return hostJson?["extensions"]?["http"]?["routePrefix"]?.GetValue<string>() ?? "api";
    }

    private static async Task<(WebApplication App, Uri Url)> StartServerAsync(HttpProtocols protocols, Action<IServiceCollection> services,
        Action<WebApplication> map)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = protocols));
        builder.Logging.ClearProviders();
        services(builder.Services);
        var app = builder.Build();
        map(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, new Uri(address.EndsWith('/') ? address : address + "/"));
    }

    /// <summary>Kills the worker's process tree and stops both servers.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_worker is not null)
        {
            await _worker.DisposeAsync();
        }
        foreach (var app in new[] { _frontEndApp, _grpc })
        {
            if (app is not null)
            {
                await app.StopAsync();
                await app.DisposeAsync();
            }
        }
        _frontEnd?.Dispose();
    }
}

/// <summary>The worker exited while the host waited on it; carries its exit code and output.</summary>
public sealed class WorkerExitedException(int exitCode, string output, string step)
    : Exception($"The Functions worker exited with code {exitCode} before it could {step}. Output:\n{output}")
{
    public int ExitCode { get; } = exitCode;
    public string Output { get; } = output;
}
