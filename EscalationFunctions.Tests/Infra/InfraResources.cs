using System.Text.Json.Nodes;

namespace EscalationFunctions.Tests.Infra;

/// <summary>Finding the resources the tests talk about in a compiled template, with a clear message when one is missing.</summary>
public static class InfraResources
{
    public static IReadOnlyList<(ArmScope Scope, JsonObject Resource)> OfType(ArmScope root, string type) =>
        root.AllResources().Where(r => string.Equals(ArmScope.Type(r.Resource), type, StringComparison.OrdinalIgnoreCase)).ToList();

    public static (ArmScope Scope, JsonObject Resource) Single(ArmScope root, string type)
    {
        var found = OfType(root, type);
        Assert.True(found.Count == 1, $"Expected exactly one {type} in the compiled template, found {found.Count}.");
        return found[0];
    }

    public static (ArmScope Scope, JsonObject Resource) FunctionApp(ArmScope root) => Single(root, "Microsoft.Web/sites");

    /// <summary>The Function App's app settings, evaluated: name → value.</summary>
    public static Dictionary<string, object?> AppSettings(ArmScope root)
    {
        var configs = OfType(root, "Microsoft.Web/sites/config")
            .Where(c => c.Scope.NameOf(c.Resource).EndsWith("/appsettings", StringComparison.Ordinal))
            .ToList();
        Assert.True(configs.Count == 1, $"Expected one Microsoft.Web/sites/config 'appsettings' resource, found {configs.Count}.");
        var (scope, config) = configs[0];
        var settings = scope.Evaluate(config["properties"]) as Dictionary<string, object?>;
        Assert.True(settings is not null, $"The app settings did not evaluate to an object: {config["properties"]}");

        // Settings could also hide in siteConfig.appSettings; there must be one source of truth.
        var (siteScope, site) = FunctionApp(root);
        Assert.True(site["properties"]?["siteConfig"]?["appSettings"] is null,
            $"{siteScope.Path}: app settings are set in siteConfig.appSettings too; keep them in the 'appsettings' config resource only.");
        return settings!;
    }

    public static (ArmScope Scope, JsonObject Rule) AlertRule(ArmScope root, string nameSuffix)
    {
        var rules = OfType(root, "Microsoft.Insights/scheduledQueryRules")
            .Where(r => r.Scope.NameOf(r.Resource).EndsWith("-" + nameSuffix, StringComparison.Ordinal))
            .ToList();
        Assert.True(rules.Count == 1,
            $"Expected one alert rule named *-{nameSuffix}; the rules are: " +
            string.Join(", ", OfType(root, "Microsoft.Insights/scheduledQueryRules").Select(r => r.Scope.NameOf(r.Resource))));
        return rules[0];
    }

    /// <summary>The single criterion of a rule, evaluated.</summary>
    public static Dictionary<string, object?> Criterion(ArmScope scope, JsonObject rule)
    {
        var criteria = scope.Evaluate(rule["properties"]?["criteria"]?["allOf"]) as List<object?>;
        Assert.True(criteria is { Count: 1 }, $"Expected one criterion in {scope.NameOf(rule)}.");
        return (Dictionary<string, object?>)criteria![0]!;
    }
}
