using System.Text.Json.Nodes;

namespace EscalationFunctions.Tests.Infra;

/// <summary>
/// One <c>bicep snapshot</c> result: the resources the deployment would create, with their evaluated
/// properties, and its outputs. Lookups fail with a message naming what is there instead.
/// </summary>
public sealed class Snapshot(string name, JsonObject root)
{
    public string Name { get; } = name;
    public JsonObject Root { get; } = root;

    public IReadOnlyList<JsonObject> Resources { get; } =
        (root["predictedResources"] as JsonArray ?? throw new InvalidOperationException("The snapshot has no predictedResources."))
        .Select(r => (JsonObject)r!).ToList();

    public JsonObject Outputs => Root["outputs"] as JsonObject ?? [];

    public IReadOnlyList<JsonObject> OfType(string type) =>
        Resources.Where(r => string.Equals(Str(r["type"]), type, StringComparison.OrdinalIgnoreCase)).ToList();

    public JsonObject Single(string type)
    {
        var found = OfType(type);
        Assert.True(found.Count == 1, $"{Name}: expected exactly one {type}, found {found.Count}.");
        return found[0];
    }

    /// <summary>The one resource of <paramref name="type"/> whose name ends with <paramref name="nameSuffix"/>.</summary>
    public JsonObject Named(string type, string nameSuffix)
    {
        var all = OfType(type);
        var found = all.Where(r => Str(r["name"]).EndsWith(nameSuffix, StringComparison.Ordinal)).ToList();
        Assert.True(found.Count == 1,
            $"{Name}: expected one {type} named *{nameSuffix}; there are: {string.Join(", ", all.Select(r => Str(r["name"])))}");
        return found[0];
    }

    public JsonObject FunctionApp => Single("Microsoft.Web/sites");

    /// <summary>The Function App's app settings: name → value (an ARM expression where only Azure knows it).</summary>
    public IReadOnlyDictionary<string, string> AppSettings
    {
        get
        {
            Assert.True(FunctionApp["properties"]?["siteConfig"]?["appSettings"] is null,
                $"{Name}: app settings are set in siteConfig.appSettings too; keep them in the 'appsettings' config resource only.");
            var config = Named("Microsoft.Web/sites/config", "/appsettings");
            return ((JsonObject)config["properties"]!).ToDictionary(p => p.Key, p => Str(p.Value));
        }
    }

    /// <summary>The resource id of the identity the Function App runs as.</summary>
    public string AppIdentityId => Assert.Single((JsonObject)FunctionApp["identity"]!["userAssignedIdentities"]!).Key;

    /// <summary>How the snapshot writes a runtime property of a resource, e.g. an identity's principalId.</summary>
    public static string Reference(string resourceId, string apiVersion, string property) =>
        $"[reference('{resourceId}', '{apiVersion}').{property}]";

    public string Id(string type, string name) =>
        $"/subscriptions/{InfraSnapshots.SubscriptionId}/resourceGroups/{InfraSnapshots.ResourceGroup}/providers/{type}/{name}";

    public string IdOf(JsonObject resource) => Str(resource["id"]);

    public static string Str(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        null => throw new Xunit.Sdk.XunitException("Expected a string, got nothing."),
        _ => throw new Xunit.Sdk.XunitException($"Expected a string, got {node.ToJsonString()}"),
    };

    public static long Num(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue<long>(out var n) ? n : throw new Xunit.Sdk.XunitException($"Expected a number, got {node?.ToJsonString() ?? "nothing"}");
}
