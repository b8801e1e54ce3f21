using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace EscalationFunctions.Testing.FunctionsHost;

/// <summary>
/// The worker's own protocol messages, taken from the file descriptor compiled into the worker's
/// <c>Microsoft.Azure.Functions.Worker.Grpc.dll</c> (its generated types are internal, so the
/// descriptor is reached by reflection). Messages are built and read as protobuf JSON through
/// Google.Protobuf's public reflection API: no copy of the <c>.proto</c>, and a field the worker
/// renames or drops fails loudly here instead of being silently sent as unknown.
/// </summary>
public sealed class WorkerMessages
{
    private const string GrpcAssembly = "Microsoft.Azure.Functions.Worker.Grpc.dll";
    private const string ReflectionClass = "Microsoft.Azure.Functions.Worker.Grpc.Messages.FunctionRpcReflection";

    private static readonly JsonParser Parser = new(JsonParser.Settings.Default);
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default);

    private WorkerMessages(FileDescriptor file)
    {
        File = file;
        StreamingMessage = file.MessageTypes.Single(m => m.Name == "StreamingMessage");
        var service = file.Services.Single();
        var method = service.Methods.Single();
        if (service.FullName != FunctionRpcService.ServiceName || method.Name != FunctionRpcService.MethodName ||
            !method.IsClientStreaming || !method.IsServerStreaming)
        {
            throw new InvalidOperationException($"The worker's protocol is {service.FullName}/{method.Name}, not the duplex stream this stand-in serves.");
        }
    }

    /// <summary>The worker's <c>FunctionRpc.proto</c>, as compiled into the worker.</summary>
    public FileDescriptor File { get; }

    /// <summary>The envelope of every message on the stream.</summary>
    public MessageDescriptor StreamingMessage { get; }

    /// <summary>Reads the descriptor from the worker assembly in <paramref name="appDirectory"/>.</summary>
    public static WorkerMessages Load(string appDirectory)
    {
        var path = Path.Combine(appDirectory, GrpcAssembly);
        if (!System.IO.File.Exists(path))
        {
            throw new InvalidOperationException($"{GrpcAssembly} not found in {appDirectory}; build EscalationFunctions first.");
        }
        var type = Assembly.LoadFrom(path).GetType(ReflectionClass, throwOnError: true)!;
        var descriptor = type.GetProperty("Descriptor", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)?.GetValue(null) as FileDescriptor
            ?? throw new InvalidOperationException($"{ReflectionClass}.Descriptor is missing from {path}.");
        return new WorkerMessages(descriptor);
    }

    /// <summary>A <c>StreamingMessage</c> from its protobuf JSON form; unknown fields are an error.</summary>
    public byte[] Encode(JsonObject message) => Parser.Parse(message.ToJsonString(), StreamingMessage).ToByteArray();

    /// <summary>A <c>StreamingMessage</c> in its protobuf JSON form (lowerCamelCase names, defaults left out).</summary>
    public JsonElement Decode(byte[] message)
    {
        var parsed = StreamingMessage.Parser.ParseFrom(message);
        return JsonDocument.Parse(Formatter.Format(parsed)).RootElement.Clone();
    }
}
