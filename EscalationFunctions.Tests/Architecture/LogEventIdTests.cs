using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Testing;
using Mono.Cecil;

namespace EscalationFunctions.Tests.Architecture;

/// <summary>
/// Every log line is a <c>[LoggerMessage]</c> method with its own event id, inside the range of the
/// area (namespace) that declares it, so an id found in a log names one line and where it comes from.
/// Reads the compiled engine, Hosting, Server and Functions assemblies with Mono.Cecil: the Functions
/// app is built but not referenced by the tests, and reading metadata needs none of its dependencies.
/// </summary>
[Lane(TestLane.Unit)]
public sealed class LogEventIdTests
{
    private const string LoggerMessageAttribute = "Microsoft.Extensions.Logging.LoggerMessageAttribute";

    /// <summary>Each area's event ids, inclusive; the longest matching namespace wins.</summary>
    private static readonly Dictionary<string, (int First, int Last)> Ranges = new(StringComparer.Ordinal)
    {
        ["EscalationFunctions.Engine.Settings"] = (1000, 1099),
        ["EscalationFunctions.Engine.Secrets"] = (1100, 1199),
        ["EscalationFunctions.Engine.Tick"] = (2000, 2199),
        ["EscalationFunctions.Engine.Recalc"] = (2200, 2299),
        ["EscalationFunctions.Engine.Status"] = (2300, 2399),
        ["EscalationFunctions.Engine.Acknowledge"] = (2400, 2499),
        ["EscalationFunctions.Engine.Slack.Outbox"] = (3000, 3099),
        ["EscalationFunctions.Engine.Slack.Delivery"] = (3100, 3299),
        ["EscalationFunctions.Engine.Slack.Transports"] = (3300, 3399),
        ["EscalationFunctions.Engine.Slack.App"] = (3400, 3499),
        ["EscalationFunctions.Engine.Slack.Clicks"] = (3500, 3599),
        ["EscalationFunctions.Engine.Slack.Messages"] = (3600, 3699),
        ["EscalationFunctions.Engine.Endpoints"] = (4000, 4199),
        ["EscalationFunctions.Engine.Security"] = (4200, 4299),
        ["EscalationFunctions.Engine.Data"] = (5000, 5099),
        ["EscalationFunctions.Engine.Runtime"] = (5100, 5199),
        ["EscalationFunctions.Engine.Telemetry"] = (5200, 5299),
        ["EscalationFunctions.Hosting"] = (6000, 6199),
        ["EscalationFunctions.Server"] = (6200, 6399),
        ["EscalationFunctions.Functions"] = (6400, 6499),
    };

    [Fact]
    public void Every_log_method_has_its_own_event_id_inside_its_areas_range()
    {
        var methods = AssemblyPaths().SelectMany(LogMethods).ToList();
        Assert.NotEmpty(methods);   // the reader sees the log methods at all

        var problems = new List<string>();
        foreach (var (name, ns, eventId) in methods)
        {
            if (eventId is not { } id || id == 0)
            {
                problems.Add($"{name} has no event id (or 0)");
                continue;
            }
            var area = Ranges.Keys.Where(key => ns == key || ns.StartsWith(key + ".", StringComparison.Ordinal)).MaxBy(key => key.Length);
            if (area is null)
            {
                problems.Add($"{name} (event id {id}) is in {ns}, which has no event id range");
            }
            else if (id < Ranges[area].First || id > Ranges[area].Last)
            {
                problems.Add($"{name} has event id {id}, outside {area}'s {Ranges[area].First}-{Ranges[area].Last}");
            }
        }
        problems.AddRange(
            from method in methods
            where method.EventId is not null and not 0
            group method.Name by method.EventId into same
            where same.Count() > 1
            select $"event id {same.Key} is used by {string.Join(", ", same)}");

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    private static IEnumerable<string> AssemblyPaths()
    {
        yield return typeof(EscalationSettings).Assembly.Location;
        yield return typeof(EscalationFunctions.Hosting.HostingServiceCollectionExtensions).Assembly.Location;
        yield return typeof(EscalationFunctions.Server.ServerApp).Assembly.Location;
        var functions = Path.Combine(RepoPaths.FunctionsAppDirectory, "EscalationFunctions.dll");
        Assert.True(File.Exists(functions), $"{functions} is missing: build the solution first.");
        yield return functions;
    }

    /// <summary>Each <c>[LoggerMessage]</c> method: "Type.Method", the declaring type's namespace, and its event id (null when not given).</summary>
    private static List<(string Name, string Namespace, int? EventId)> LogMethods(string assemblyPath)
    {
        using var assembly = AssemblyDefinition.ReadAssembly(assemblyPath);
        return (
            from type in assembly.MainModule.GetTypes()
            from method in type.Methods
            from attribute in method.CustomAttributes
            where attribute.AttributeType.FullName == LoggerMessageAttribute
            select ($"{type.FullName}.{method.Name}", NamespaceOf(type), EventIdOf(attribute))).ToList();
    }

    private static int? EventIdOf(CustomAttribute attribute)
    {
        foreach (var property in attribute.Properties.Where(p => p.Name == "EventId"))
        {
            return (int)property.Argument.Value;
        }
        var parameters = attribute.Constructor.Parameters;
        for (var i = 0; i < parameters.Count; i++)
        {
            if (parameters[i].Name == "eventId")
            {
                return (int)attribute.ConstructorArguments[i].Value;
            }
        }
        return null;
    }

    private static string NamespaceOf(TypeDefinition type)
    {
        while (type.DeclaringType is not null)
        {
            type = type.DeclaringType;
        }
        return type.Namespace;
    }
}
