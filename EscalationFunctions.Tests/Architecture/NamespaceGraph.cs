using System.Text.RegularExpressions;
using Mono.Cecil;
using Mono.Cecil.Cil;

namespace EscalationFunctions.Tests.Architecture;

/// <summary>
/// Which namespace of a compiled assembly uses which, read from its IL with Mono.Cecil: signatures,
/// base types, attributes and every type, method or field a method body touches (source <c>using</c>
/// lines alone would miss uses of a parent namespace and fully qualified names), plus, with
/// <see cref="WithSourceUsings"/>, the <c>using</c> lines that the IL cannot show.
/// </summary>
public sealed class NamespaceGraph
{
    private readonly Dictionary<string, Dictionary<string, string>> _edges = new(StringComparer.Ordinal);

    private NamespaceGraph() { }

    /// <summary>Namespace → the namespaces it uses, each with one example ("Type uses Type").</summary>
    public IReadOnlyDictionary<string, Dictionary<string, string>> Edges => _edges;

    /// <summary>A graph given by its edges, to test <see cref="Cycles"/> itself.</summary>
    public static NamespaceGraph FromEdges(params (string From, string To)[] edges)
    {
        var graph = new NamespaceGraph();
        foreach (var (from, to) in edges)
        {
            graph.AddEdge(from, to, "given");
        }
        return graph;
    }

    public static NamespaceGraph Read(string assemblyPath, string rootNamespace)
    {
        var graph = new NamespaceGraph();
        using var assembly = AssemblyDefinition.ReadAssembly(assemblyPath);
        foreach (var type in assembly.MainModule.GetTypes())
        {
            var from = NamespaceOf(type);
            if (!from.StartsWith(rootNamespace, StringComparison.Ordinal)) continue;
            foreach (var used in UsedTypes(type))
            {
                var to = NamespaceOf(used);
                if (to == from || !to.StartsWith(rootNamespace, StringComparison.Ordinal)) continue;
                graph.AddEdge(from, to, $"{Outermost(type).Name} uses {Outermost(used).Name}");
            }
        }
        return graph;
    }

    /// <summary>
    /// Adds the <c>using</c> lines of the sources under <paramref name="folder"/>: a constant is copied into
    /// the IL of the code that reads it, so only the source shows that use (and a doc comment's cref).
    /// </summary>
    public NamespaceGraph WithSourceUsings(string folder, string rootNamespace)
    {
        foreach (var file in Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories))
        {
            if (file.Contains("/obj/", StringComparison.Ordinal) || file.Contains("/bin/", StringComparison.Ordinal)) continue;
            var text = File.ReadAllText(file);
            var own = Regex.Match(text, @"^namespace ([\w.]+);", RegexOptions.Multiline);
            if (!own.Success) continue;
            foreach (Match used in Regex.Matches(text, @"^using ([\w.]+);", RegexOptions.Multiline))
            {
                var (from, to) = (own.Groups[1].Value, used.Groups[1].Value);
                if (from == to || !to.StartsWith(rootNamespace, StringComparison.Ordinal)) continue;
                AddEdge(from, to, $"{Path.GetFileName(file)}: using {to}");
            }
        }
        return this;
    }

    /// <summary>The groups of namespaces that reach each other (Tarjan's strongly connected components of two or more).</summary>
    public IReadOnlyList<IReadOnlyList<string>> Cycles()
    {
        var index = new Dictionary<string, int>(); var low = new Dictionary<string, int>();
        var stack = new Stack<string>(); var onStack = new HashSet<string>();
        var result = new List<IReadOnlyList<string>>();
        var counter = 0;
        void Visit(string v)
        {
            index[v] = low[v] = counter++; stack.Push(v); onStack.Add(v);
            foreach (var w in _edges.TryGetValue(v, out var t) ? t.Keys : Enumerable.Empty<string>())
            {
                if (!index.ContainsKey(w)) { Visit(w); low[v] = Math.Min(low[v], low[w]); }
                else if (onStack.Contains(w)) low[v] = Math.Min(low[v], index[w]);
            }
            if (low[v] != index[v]) return;
            var component = new List<string>();
            string x;
            do { x = stack.Pop(); onStack.Remove(x); component.Add(x); } while (x != v);
            if (component.Count > 1) result.Add(component.Order(StringComparer.Ordinal).ToList());
        }
        foreach (var v in _edges.Keys.Concat(_edges.Values.SelectMany(t => t.Keys)).Distinct().Order(StringComparer.Ordinal))
            if (!index.ContainsKey(v)) Visit(v);
        return result;
    }

    // The first example of an edge is kept: one is enough to find it in the code.
    private void AddEdge(string from, string to, string example)
    {
        if (!_edges.TryGetValue(from, out var targets)) _edges[from] = targets = new(StringComparer.Ordinal);
        targets.TryAdd(to, example);
    }

    private static TypeReference Outermost(TypeReference type)
    {
        while (type.DeclaringType is not null) type = type.DeclaringType;
        return type;
    }

    private static string NamespaceOf(TypeReference type) => Outermost(Unwrap(type)).Namespace;

    private static TypeReference Unwrap(TypeReference type)
    {
        while (type is TypeSpecification spec) type = spec.ElementType;
        return type;
    }

    private static IEnumerable<TypeReference> UsedTypes(TypeDefinition type)
    {
        var found = new List<TypeReference>();
        void Add(TypeReference? t)
        {
            if (t is null) return;
            if (t is GenericInstanceType g) foreach (var a in g.GenericArguments) Add(a);
            if (t is TypeSpecification s) { Add(s.ElementType); return; }
            found.Add(t);
        }
        void AddAttributes(ICustomAttributeProvider p)
        {
            foreach (var a in p.CustomAttributes) Add(a.AttributeType);
        }
        void AddMethod(MethodReference m)
        {
            Add(m.DeclaringType); Add(m.ReturnType);
            foreach (var p in m.Parameters) Add(p.ParameterType);
            if (m is GenericInstanceMethod gm) foreach (var a in gm.GenericArguments) Add(a);
        }

        Add(type.BaseType);
        AddAttributes(type);
        foreach (var i in type.Interfaces) Add(i.InterfaceType);
        foreach (var f in type.Fields) { Add(f.FieldType); AddAttributes(f); }
        foreach (var p in type.Properties) { Add(p.PropertyType); AddAttributes(p); }
        foreach (var m in type.Methods)
        {
            AddMethod(m);
            AddAttributes(m);
            if (!m.HasBody) continue;
            foreach (var v in m.Body.Variables) Add(v.VariableType);
            foreach (var instruction in m.Body.Instructions)
            {
                switch (instruction.Operand)
                {
                    case TypeReference t: Add(t); break;
                    case MethodReference mr: AddMethod(mr); break;
                    case FieldReference fr: Add(fr.DeclaringType); Add(fr.FieldType); break;
                }
            }
        }
        return found;
    }
}
