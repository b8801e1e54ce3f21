using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Testing;

namespace EscalationFunctions.Tests.Architecture;

/// <summary>
/// The engine's folders are its jobs (docs/design.md). A namespace that uses another which uses it
/// back means neither can be read or changed alone, so any cycle fails here, naming the types that
/// make each edge.
/// </summary>
[Lane(TestLane.Unit)]
public sealed class NamespaceCycleTests
{
    [Fact]
    public void The_engine_namespaces_form_no_cycle()
    {
        var graph = NamespaceGraph.Read(typeof(EscalationSettings).Assembly.Location, "EscalationFunctions.Engine")
            .WithSourceUsings(Path.Combine(RepoPaths.Root, "EscalationFunctions.Engine"), "EscalationFunctions.Engine");
        Assert.NotEmpty(graph.Edges);   // the reader sees the engine at all

        var cycles = graph.Cycles();
        var report = string.Join("\n", cycles.Select(members =>
            "cycle: " + string.Join(", ", members) + "\n" + string.Join("\n",
                from source in members
                from edge in graph.Edges.TryGetValue(source, out var targets) ? targets : []
                where members.Contains(edge.Key)
                select $"  {source} -> {edge.Key} ({edge.Value})")));
        Assert.True(cycles.Count == 0, report);
    }

    [Fact]
    public void The_reader_sees_uses_made_only_inside_method_bodies_and_the_finder_reports_a_cycle()
    {
        var engine = NamespaceGraph.Read(typeof(EscalationSettings).Assembly.Location, "EscalationFunctions.Engine");
        // The ack endpoint calls the acknowledger: an edge a broken reader would not see.
        Assert.Contains("EscalationFunctions.Engine.Acknowledge", engine.Edges["EscalationFunctions.Engine.Endpoints.Handlers"].Keys);

        var graph = NamespaceGraph.FromEdges(("A", "B"), ("B", "C"), ("C", "A"), ("C", "D"), ("D", "E"));
        var cycle = Assert.Single(graph.Cycles());
        Assert.Equal(["A", "B", "C"], cycle);
        Assert.Empty(NamespaceGraph.FromEdges(("A", "B"), ("B", "C"), ("A", "C")).Cycles());
    }
}
