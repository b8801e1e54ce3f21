using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace EscalationFunctions.Tests.Infra;

/// <summary>
/// One compiled ARM template (the root, or a module's nested template) with its parameter values,
/// able to evaluate the expressions in it the way Resource Manager would, as far as that is
/// possible offline. Parameters, variables, arithmetic, comparisons, <c>if</c>, <c>format</c>,
/// <c>union</c>... give concrete values; a module's outputs are followed into the module; anything
/// that needs Azure (resource ids, <c>reference()</c>, <c>uniqueString()</c>) becomes a
/// <see cref="Symbolic"/> value. <c>fail()</c> throws <see cref="ArmFailException"/>.
/// Values: string, long, bool, null, <see cref="Dictionary{TKey,TValue}"/> (objects),
/// <see cref="List{T}"/> (arrays) and <see cref="Symbolic"/>.
/// </summary>
public sealed class ArmScope
{
    private readonly Func<string, object?>? _parameterValue;
    private readonly Dictionary<string, object?> _variables = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _evaluating = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, ArmScope> _modules = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, object?> _parameters = new(StringComparer.OrdinalIgnoreCase);

    private ArmScope(JsonObject template, string path, Func<string, object?>? parameterValue)
    {
        Template = template;
        Path = path;
        _parameterValue = parameterValue;
    }

    public JsonObject Template { get; }

    /// <summary>"main" for the root template, "main/functionapp" for a module, and so on.</summary>
    public string Path { get; }

    /// <summary>The root template with the values of an ARM parameters file (missing ones take their defaults).</summary>
    public static ArmScope Root(JsonObject template, JsonObject? parametersFile, IReadOnlyDictionary<string, object?>? overrides = null)
    {
        var given = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        if (parametersFile?["parameters"] is JsonObject parameters)
        {
            foreach (var (name, entry) in parameters)
            {
                if (entry is JsonObject o && o.ContainsKey("value"))
                {
                    given[name] = FromJson(o["value"]);
                }
            }
        }
        foreach (var (name, value) in overrides ?? new Dictionary<string, object?>())
        {
            given[name] = value;
        }
        return new ArmScope(template, "main", name => given.TryGetValue(name, out var v) ? v : Missing.Value);
    }

    // ---- template structure -------------------------------------------------------------------

    public JsonObject ParameterDefinition(string name) =>
        Template["parameters"]?[name] as JsonObject ?? throw new KeyNotFoundException($"{Path}: no parameter '{name}'.");

    /// <summary>The resources declared directly in this template (not in its modules).</summary>
    public IEnumerable<JsonObject> Resources()
    {
        var resources = Template["resources"];
        var list = resources switch
        {
            JsonArray a => a.OfType<JsonObject>(),
            JsonObject o => o.Select(p => p.Value).OfType<JsonObject>(),
            _ => [],
        };
        foreach (var r in list)
        {
            if (r.ContainsKey("copy"))
            {
                throw new NotSupportedException($"{Path}: resource loops (copy) are not supported by these tests: {r["name"]}");
            }
            yield return r;
        }
    }

    /// <summary>Every resource here and in every module below, with the scope to evaluate it in.</summary>
    public IEnumerable<(ArmScope Scope, JsonObject Resource)> AllResources()
    {
        foreach (var r in Resources())
        {
            yield return (this, r);
            if (Type(r) == "Microsoft.Resources/deployments")
            {
                foreach (var inner in Module(NameOf(r)).AllResources())
                {
                    yield return inner;
                }
            }
        }
    }

    /// <summary>Every template below this one (modules), including this one.</summary>
    public IEnumerable<ArmScope> AllScopes()
    {
        yield return this;
        foreach (var r in Resources().Where(r => Type(r) == "Microsoft.Resources/deployments"))
        {
            foreach (var s in Module(NameOf(r)).AllScopes())
            {
                yield return s;
            }
        }
    }

    public static string Type(JsonObject resource) => resource["type"]?.GetValue<string>() ?? "";

    /// <summary>The resource's name, evaluated; a symbolic name is rendered as text.</summary>
    public string NameOf(JsonObject resource) => Evaluate(resource["name"]) switch
    {
        string s => s,
        Symbolic s => s.Text,
        var other => throw new InvalidOperationException($"{Path}: resource name is {other}"),
    };

    /// <summary>The module (nested deployment) of this name, with its parameters bound to this scope.</summary>
    public ArmScope Module(string deploymentName)
    {
        if (_modules.TryGetValue(deploymentName, out var cached))
        {
            return cached;
        }
        var deployment = Resources().FirstOrDefault(r => Type(r) == "Microsoft.Resources/deployments" && NameOf(r) == deploymentName)
            ?? throw new KeyNotFoundException($"{Path}: no module (deployment) named '{deploymentName}'.");
        var template = deployment["properties"]?["template"] as JsonObject
            ?? throw new InvalidOperationException($"{Path}/{deploymentName}: the deployment has no inline template.");
        var passed = deployment["properties"]?["parameters"] as JsonObject ?? [];
        // Each entry is { "value": ... }, or an expression that yields one (Bicep writes a conditional value that way).
        var module = new ArmScope(template, $"{Path}/{deploymentName}", name =>
            passed.ContainsKey(name) && Evaluate(passed[name]) is Dictionary<string, object?> entry && entry.TryGetValue("value", out var value)
                ? value
                : Missing.Value);
        _modules[deploymentName] = module;
        return module;
    }

    public object? Parameter(string name)
    {
        if (_parameters.TryGetValue(name, out var cached))
        {
            return cached;
        }
        var value = _parameterValue is null ? Missing.Value : _parameterValue(name);
        if (value is Missing)
        {
            var definition = ParameterDefinition(name);
            value = definition.ContainsKey("defaultValue")
                ? Evaluate(definition["defaultValue"])
                : throw new InvalidOperationException($"{Path}: parameter '{name}' has no value and no default.");
        }
        _parameters[name] = value;
        return value;
    }

    public object? Variable(string name)
    {
        if (_variables.TryGetValue(name, out var cached))
        {
            return cached;
        }
        if (!_evaluating.Add(name))
        {
            throw new InvalidOperationException($"{Path}: variable '{name}' refers to itself.");
        }
        try
        {
            var node = Template["variables"]?[name] ?? throw new KeyNotFoundException($"{Path}: no variable '{name}'.");
            var value = Evaluate(node);
            _variables[name] = value;
            return value;
        }
        finally
        {
            _evaluating.Remove(name);
        }
    }

    public object? Output(string name)
    {
        var output = Template["outputs"]?[name] as JsonObject ?? throw new KeyNotFoundException($"{Path}: no output '{name}'.");
        return Evaluate(output["value"]);
    }

    // ---- evaluation -------------------------------------------------------------------------------

    /// <summary>Evaluates a JSON value of the template: expressions in strings, objects and arrays member by member.</summary>
    public object? Evaluate(JsonNode? node) => node switch
    {
        null => null,
        JsonObject o => o.ToDictionary(p => EvaluateKey(p.Key), p => Evaluate(p.Value), StringComparer.OrdinalIgnoreCase),
        JsonArray a => a.Select(Evaluate).ToList(),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => EvaluateString(v.GetValue<string>()),
        _ => FromJson(node),
    };

    /// <summary>Property names may be expressions too (e.g. the identity id in userAssignedIdentities).</summary>
    private string EvaluateKey(string key) => EvaluateString(key) switch
    {
        string s => s,
        Symbolic s => s.Text,
        var other => Render(other),
    };

    private object? EvaluateString(string text) =>
        ArmExpr.IsExpression(text) ? Evaluate(ArmExpr.Parse(text)) : ArmExpr.Literal(text);

    public object? Evaluate(ArmExpr expr) => expr switch
    {
        ArmExpr.Str s => s.Value,
        ArmExpr.Num n => n.Value,
        ArmExpr.Prop p => Property(Evaluate(p.Target), p.Name),
        ArmExpr.Index i => IndexInto(Evaluate(i.Target), Evaluate(i.Key)),
        ArmExpr.Call c => Call(c),
        _ => throw new NotSupportedException(expr.ToString()),
    };

    private object? Call(ArmExpr.Call call)
    {
        var name = call.Name.ToLowerInvariant();
        // Lazy ones first: only the branch taken is evaluated, as in Resource Manager.
        switch (name)
        {
            case "if":
                var condition = Evaluate(call.Args[0]);
                return condition switch
                {
                    bool b => Evaluate(call.Args[b ? 1 : 2]),
                    _ => new Symbolic($"if({Render(condition)}, {call.Args[1]}, {call.Args[2]})"),
                };
            case "reference" when ModuleOf(call.Args[0]) is { } module:
                // A module's outputs: reference(resourceId('Microsoft.Resources/deployments', name), ...).outputs.x.value
                return new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase)
                {
                    ["outputs"] = new LazyOutputs(module),
                };
        }

        var args = call.Args.Select(Evaluate).ToList();
        if (name is not ("format" or "concat" or "createobject" or "createarray" or "union" or "string" or "fail"
                or "equals" or "empty" or "length" or "contains")
            && args.Any(a => a is Symbolic))
        {
            return Opaque(call.Name, args);
        }

        switch (name)
        {
            case "parameters": return Parameter(Str(args[0]));
            case "variables": return Variable(Str(args[0]));
            case "true": return true;
            case "false": return false;
            case "null": return null;
            case "fail": throw new ArmFailException(Render(args[0]).Trim('\''));
            case "mul": return Int(args[0]) * Int(args[1]);
            case "div": return Int(args[0]) / Int(args[1]);
            case "add": return Int(args[0]) + Int(args[1]);
            case "sub": return Int(args[0]) - Int(args[1]);
            case "mod": return Int(args[0]) % Int(args[1]);
            case "less": return Compare(args[0], args[1]) < 0;
            case "lessorequals": return Compare(args[0], args[1]) <= 0;
            case "greater": return Compare(args[0], args[1]) > 0;
            case "greaterorequals": return Compare(args[0], args[1]) >= 0;
            case "and": return args.All(a => Bool(a));
            case "or": return args.Any(a => Bool(a));
            case "not": return !Bool(args[0]);
            case "equals": return args.Any(a => a is Symbolic) ? Opaque(call.Name, args) : Equal(args[0], args[1]);
            case "int": return args[0] is string text ? long.Parse(text, CultureInfo.InvariantCulture) : Int(args[0]);
            case "tolower": return Str(args[0]).ToLowerInvariant();
            case "toupper": return Str(args[0]).ToUpperInvariant();
            case "startswith": return Str(args[0]).StartsWith(Str(args[1]), StringComparison.OrdinalIgnoreCase);
            case "endswith": return Str(args[0]).EndsWith(Str(args[1]), StringComparison.OrdinalIgnoreCase);
            case "replace": return Str(args[0]).Replace(Str(args[1]), Str(args[2]), StringComparison.Ordinal);
            case "length":
                return args[0] switch
                {
                    string str => (long)str.Length,
                    List<object?> l => (long)l.Count,
                    Dictionary<string, object?> d => (long)d.Count,
                    _ => Opaque(call.Name, args),
                };
            case "empty":
                return args[0] switch
                {
                    null => true,
                    string str => str.Length == 0,
                    List<object?> l => l.Count == 0,
                    Dictionary<string, object?> d => d.Count == 0,
                    _ => Opaque(call.Name, args),
                };
            case "contains":
                return args[0] switch
                {
                    string str when args[1] is string t => str.Contains(t, StringComparison.Ordinal),
                    List<object?> l => l.Any(x => Equal(x, args[1])),
                    Dictionary<string, object?> d when args[1] is string k => d.ContainsKey(k),
                    _ => Opaque(call.Name, args),
                };
            case "string": return ToArmString(args[0]);
            case "format": return Format(args);
            case "concat":
                return args.All(a => a is List<object?>)
                    ? args.Cast<List<object?>>().SelectMany(l => l).ToList()
                    : Join(args);
            case "createarray": return args.ToList();
            case "createobject":
                var o = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
                for (var i = 0; i + 1 < args.Count; i += 2)
                {
                    o[Str(args[i])] = args[i + 1];
                }
                return o;
            case "union":
                if (args.All(a => a is Dictionary<string, object?>))
                {
                    var merged = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
                    foreach (var d in args.Cast<Dictionary<string, object?>>())
                    {
                        foreach (var (k, v) in d)
                        {
                            merged[k] = v;
                        }
                    }
                    return merged;
                }
                return Opaque(call.Name, args);
            default:
                return Opaque(call.Name, args);
        }
    }

    private ArmScope? ModuleOf(ArmExpr target) =>
        target is ArmExpr.Call { Name: var n, Args: [ArmExpr.Str { Value: "Microsoft.Resources/deployments" }, var nameExpr] }
        && n.Equals("resourceId", StringComparison.OrdinalIgnoreCase)
        && Evaluate(nameExpr) is string deploymentName
            ? Module(deploymentName)
            : null;

    /// <summary>A module's outputs, evaluated on access (each output in the module's own scope).</summary>
    private sealed class LazyOutputs(ArmScope module)
    {
        public object? Get(string name) => new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase)
        {
            ["value"] = module.Output(name),
        };
    }

    private static object? Property(object? target, string name) => target switch
    {
        Dictionary<string, object?> d => d.TryGetValue(name, out var v) ? v : throw new KeyNotFoundException($"No property '{name}' in {Render(target)}"),
        LazyOutputs outputs => outputs.Get(name),
        Symbolic s => new Symbolic($"{s.Text}.{name}"),
        _ => throw new InvalidOperationException($"Cannot read property '{name}' of {Render(target)}"),
    };

    private static object? IndexInto(object? target, object? key) => target switch
    {
        List<object?> l when key is long i => l[(int)i],
        Dictionary<string, object?> d when key is string k => d.TryGetValue(k, out var v) ? v : throw new KeyNotFoundException($"No property '{k}' in {Render(target)}"),
        LazyOutputs outputs when key is string k => outputs.Get(k),
        _ => new Symbolic($"{Render(target)}[{Render(key)}]"),
    };

    // ---- helpers -------------------------------------------------------------------------------

    private static Symbolic Opaque(string function, IEnumerable<object?> args) =>
        new($"{function}({string.Join(", ", args.Select(Render))})");

    /// <summary>format(): concrete when every argument is; else a symbolic string with the unknown parts marked.</summary>
    private static object Format(List<object?> args)
    {
        var template = Str(args[0]);
        if (template == "{0}" && args[1] is Symbolic whole)
        {
            return whole; // '${x}' is x itself
        }
        var sb = new StringBuilder();
        var symbolic = false;
        for (var i = 0; i < template.Length; i++)
        {
            var c = template[i];
            if (c == '{' && i + 1 < template.Length && char.IsDigit(template[i + 1]))
            {
                var close = template.IndexOf('}', i);
                var index = int.Parse(template.AsSpan(i + 1, close - i - 1).ToString().Split(':')[0], CultureInfo.InvariantCulture);
                var arg = args[index + 1];
                symbolic |= arg is Symbolic;
                sb.Append(arg is string s ? s : Embed(arg));
                i = close;
            }
            else
            {
                sb.Append(c);
            }
        }
        return symbolic ? new Symbolic(sb.ToString()) : sb.ToString();
    }

    /// <summary>concat() of strings: concrete when every part is; else symbolic, like format().</summary>
    private static object Join(List<object?> parts) =>
        parts.Any(p => p is Symbolic)
            ? new Symbolic(string.Concat(parts.Select(p => p as string ?? Embed(p))))
            : string.Concat(parts.Select(p => p as string ?? Embed(p)));

    /// <summary>How a value appears inside a string: symbolic parts as ⟨expression⟩.</summary>
    private static string Embed(object? value) => value switch
    {
        Symbolic s => $"⟨{s.Text}⟩",
        _ => ToArmString(value) as string ?? Render(value),
    };

    /// <summary>ARM's string(): numbers invariant, booleans True/False, objects and arrays as JSON.</summary>
    private static object? ToArmString(object? value) => value switch
    {
        string s => s,
        long l => l.ToString(CultureInfo.InvariantCulture),
        bool b => b ? "True" : "False",
        null => "",
        Symbolic s => new Symbolic($"string({s.Text})"),
        _ => ToJson(value)!.ToJsonString(),
    };

    /// <summary>A canonical rendering of a value, used inside symbolic expressions.</summary>
    public static string Render(object? value) => value switch
    {
        null => "null",
        string s => "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'",
        long l => l.ToString(CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        Symbolic s => s.Text,
        LazyOutputs => "outputs",
        _ => ToJson(value)!.ToJsonString(),
    };

    /// <summary>Converts an evaluated value back to JSON; symbolic values become their text.</summary>
    public static JsonNode? ToJson(object? value) => value switch
    {
        null => null,
        string s => JsonValue.Create(s),
        long l => JsonValue.Create(l),
        bool b => JsonValue.Create(b),
        Symbolic s => JsonValue.Create($"⟨{s.Text}⟩"),
        Dictionary<string, object?> d => new JsonObject(d.Select(p => KeyValuePair.Create(p.Key, ToJson(p.Value)))),
        List<object?> l => new JsonArray(l.Select(ToJson).ToArray()),
        _ => JsonValue.Create(value.ToString()),
    };

    /// <summary>A literal JSON value (no expression evaluation), e.g. from a parameters file.</summary>
    public static object? FromJson(JsonNode? node) => node switch
    {
        null => null,
        JsonObject o => o.ToDictionary(p => p.Key, p => FromJson(p.Value), StringComparer.OrdinalIgnoreCase),
        JsonArray a => a.Select(FromJson).ToList(),
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => v.GetValue<string>(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number => v.TryGetValue<long>(out var l) ? l : (long)v.GetValue<double>(),
            _ => null,
        },
        _ => null,
    };

    private static string Str(object? value) =>
        value as string ?? throw new InvalidOperationException($"Expected a string, got {Render(value)}");

    private static long Int(object? value) =>
        value is long l ? l : throw new InvalidOperationException($"Expected an integer, got {Render(value)}");

    private static bool Bool(object? value) =>
        value is bool b ? b : throw new InvalidOperationException($"Expected a boolean, got {Render(value)}");

    private static int Compare(object? a, object? b) => (a, b) switch
    {
        (long x, long y) => x.CompareTo(y),
        (string x, string y) => string.Compare(x, y, StringComparison.Ordinal),
        _ => throw new InvalidOperationException($"Cannot compare {Render(a)} and {Render(b)}"),
    };

    private static bool Equal(object? a, object? b) => (a, b) switch
    {
        (string x, string y) => string.Equals(x, y, StringComparison.OrdinalIgnoreCase),
        _ => Render(a) == Render(b),
    };

    /// <summary>Marks "no value given" (distinct from a given null).</summary>
    private sealed class Missing
    {
        public static readonly Missing Value = new();
    }
}
