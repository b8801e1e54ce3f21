using System.Text.Json;

namespace EscalationFunctions.Testing.FunctionsHost;

/// <summary>
/// One function as the worker described it in its <c>FunctionMetadataResponse</c> (worker indexing):
/// the host's id for it, its name, and its bindings as the worker's own JSON (<c>raw_bindings</c>).
/// </summary>
public sealed record FunctionInfo(string Id, string Name, JsonElement Metadata, IReadOnlyList<JsonElement> Bindings)
{
    /// <summary>The binding whose type ends in <c>Trigger</c> (<c>timerTrigger</c>, <c>httpTrigger</c>).</summary>
    public JsonElement Trigger => Bindings.Single(b => Text(b, "type")?.EndsWith("Trigger", StringComparison.OrdinalIgnoreCase) == true);

    public string TriggerType => Text(Trigger, "type")!;
    public string TriggerName => Text(Trigger, "name")!;
    public string? Route => Text(Trigger, "route");
    public string? AuthLevel => Text(Trigger, "authLevel");
    public string? Schedule => Text(Trigger, "schedule");

    public IReadOnlyList<string> Methods => Trigger.TryGetProperty("methods", out var m)
        ? m.EnumerateArray().Select(v => v.GetString()!.ToUpperInvariant()).ToList()
        : [];

    public bool IsHttp => TriggerType.Equals("httpTrigger", StringComparison.OrdinalIgnoreCase);
    public bool IsTimer => TriggerType.Equals("timerTrigger", StringComparison.OrdinalIgnoreCase);

    internal static FunctionInfo From(JsonElement metadata)
    {
        var bindings = metadata.TryGetProperty("rawBindings", out var raw)
            ? raw.EnumerateArray().Select(b => JsonDocument.Parse(b.GetString()!).RootElement.Clone()).ToList()
            : [];
        return new FunctionInfo(metadata.GetProperty("functionId").GetString()!, metadata.GetProperty("name").GetString()!, metadata, bindings);
    }

    private static string? Text(JsonElement e, string name) =>
        e.EnumerateObject().FirstOrDefault(p => p.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Value is { ValueKind: JsonValueKind.String } v
            ? v.GetString()
            : null;
}

/// <summary>What the worker answered to one invocation.</summary>
public sealed record InvocationResult(string FunctionName, string InvocationId, bool Succeeded, string? Exception, JsonElement Response);
