using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Grpc.Core;

namespace EscalationFunctions.Testing.FunctionsHost;

/// <summary>
/// The one event stream of one worker: waits for its <c>StartStream</c>, sends requests, pairs each
/// answer with its request by <c>request_id</c> (the worker echoes it), and keeps the worker's
/// <c>RpcLog</c> messages. Writes are serialized: a gRPC stream takes one write at a time.
/// </summary>
internal sealed class WorkerChannel(WorkerMessages messages, string workerId)
{
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<JsonElement>> _pending = new();
    private readonly ConcurrentQueue<WorkerLog> _logs = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private IServerStreamWriter<byte[]>? _writer;

    /// <summary>Completes when the worker has opened the stream with the expected worker id.</summary>
    public Task Started => _started.Task;

    public IReadOnlyList<WorkerLog> Logs => _logs.ToArray();

    /// <summary>Serves the stream until the worker closes it or the host stops.</summary>
    public async Task RunAsync(IAsyncStreamReader<byte[]> requests, IServerStreamWriter<byte[]> responses, CancellationToken ct)
    {
        try
        {
            if (!await requests.MoveNext(ct))
            {
                throw new InvalidOperationException("The worker closed the stream before StartStream.");
            }
            var first = messages.Decode(requests.Current);
            var id = first.TryGetProperty("startStream", out var start) && start.TryGetProperty("workerId", out var w) ? w.GetString() : null;
            if (id != workerId)
            {
                throw new InvalidOperationException($"Expected StartStream from worker {workerId}, got: {first}");
            }
            _writer = responses;
            _started.TrySetResult();

            while (await requests.MoveNext(ct))
            {
                Dispatch(messages.Decode(requests.Current));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException || e is RpcException { StatusCode: StatusCode.Cancelled })
        {
            // The worker went away or the host is stopping; pending callers learn it below.
        }
        finally
        {
            _writer = null;
            _started.TrySetException(new InvalidOperationException("The worker's stream ended before StartStream."));
            foreach (var pending in _pending.Values)
            {
                pending.TrySetException(new InvalidOperationException("The worker's stream ended before it answered."));
            }
        }
    }

    /// <summary>Sends <c>{contentName: content}</c> and returns the worker's answer (the whole StreamingMessage).</summary>
    public async Task<JsonElement> RequestAsync(string contentName, JsonObject content)
    {
        var requestId = Guid.NewGuid().ToString();
        var answer = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[requestId] = answer;
        await SendAsync(contentName, content, requestId);
        return await answer.Task;
    }

    /// <summary>Sends a message that has no answer (WorkerTerminate).</summary>
    public async Task SendAsync(string contentName, JsonObject content, string? requestId = null)
    {
        var bytes = messages.Encode(new JsonObject { ["requestId"] = requestId ?? Guid.NewGuid().ToString(), [contentName] = content });
        await _writeLock.WaitAsync();
        try
        {
            var writer = _writer ?? throw new InvalidOperationException("The worker's stream is not open.");
            await writer.WriteAsync(bytes);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private void Dispatch(JsonElement message)
    {
        if (message.TryGetProperty("rpcLog", out var log))
        {
            _logs.Enqueue(WorkerLog.From(log));
            return;
        }
        var requestId = message.TryGetProperty("requestId", out var r) ? r.GetString() : null;
        if (requestId is not null && _pending.TryRemove(requestId, out var answer))
        {
            answer.TrySetResult(message);
        }
    }
}

/// <summary>One log line the worker sent to the host (<c>RpcLog</c>), as the host would record it.</summary>
public sealed record WorkerLog(string Category, string Level, string Message, string? InvocationId, string? Exception)
{
    internal static WorkerLog From(JsonElement log)
    {
        string? Text(JsonElement e, string name) => e.TryGetProperty(name, out var v) ? v.GetString() : null;
        return new WorkerLog(
            Text(log, "category") ?? "",
            Text(log, "level") ?? "Trace", // protobuf JSON leaves out the default (first) enum value
            Text(log, "message") ?? "",
            Text(log, "invocationId"),
            log.TryGetProperty("exception", out var e) ? $"{Text(e, "type")}: {Text(e, "message")}" : null);
    }

    public override string ToString() => $"[{Level}] {Category}: {Message}{(Exception is null ? "" : $" ({Exception})")}";
}
