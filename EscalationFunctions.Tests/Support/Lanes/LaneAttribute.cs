using Xunit.Sdk;

namespace EscalationFunctions.Tests.Support.Lanes;

/// <summary>
/// The lane of a test class: becomes the trait <c>Lane=unit|database|process|infra</c>. Not inherited,
/// so each class says its own; <c>LaneTests</c> fails on a test class with none.
/// </summary>
[TraitDiscoverer(LaneDiscoverer.TypeName, LaneDiscoverer.AssemblyName)]
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class LaneAttribute(TestLane lane) : Attribute, ITraitAttribute
{
    public TestLane Lane { get; } = lane;
}
