using Grpc.Core;

namespace EscalationFunctions.Testing.FunctionsHost;

/// <summary>
/// The host side of <c>AzureFunctionsRpcMessages.FunctionRpc/EventStream</c>, bound by hand with
/// a pass-through marshaller: the bytes are the worker's own protobuf messages (<see cref="WorkerMessages"/>).
/// Grpc.AspNetCore finds the binding through <see cref="BindServiceMethodAttribute"/> on this base
/// class and calls the <see cref="EventStream"/> override of the registered service.
/// </summary>
[BindServiceMethod(typeof(FunctionRpcService), nameof(BindService))]
public abstract class FunctionRpcService
{
    public const string ServiceName = "AzureFunctionsRpcMessages.FunctionRpc";
    public const string MethodName = "EventStream";

    private static readonly Marshaller<byte[]> Bytes = Marshallers.Create(b => b, b => b);

    private static readonly Method<byte[], byte[]> EventStreamMethod = new(MethodType.DuplexStreaming, ServiceName, MethodName, Bytes, Bytes);

    public abstract Task EventStream(IAsyncStreamReader<byte[]> requests, IServerStreamWriter<byte[]> responses, ServerCallContext context);

    public static void BindService(ServiceBinderBase binder, FunctionRpcService? service) =>
        binder.AddMethod(EventStreamMethod, service is null ? null : new DuplexStreamingServerMethod<byte[], byte[]>(service.EventStream));
}

/// <summary>Hands the worker's stream to the one <see cref="WorkerChannel"/> of this host.</summary>
internal sealed class WorkerStreamService(WorkerChannel channel) : FunctionRpcService
{
    public override Task EventStream(IAsyncStreamReader<byte[]> requests, IServerStreamWriter<byte[]> responses, ServerCallContext context) =>
        channel.RunAsync(requests, responses, context.CancellationToken);
}
