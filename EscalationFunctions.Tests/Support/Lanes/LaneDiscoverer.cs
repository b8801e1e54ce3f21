using Xunit.Abstractions;
using Xunit.Sdk;

namespace EscalationFunctions.Tests.Support.Lanes;

/// <summary>Turns a <see cref="LaneAttribute"/> into the trait xunit reports and <c>dotnet test --filter</c> selects on.</summary>
public sealed class LaneDiscoverer : ITraitDiscoverer
{
    public const string TypeName = "EscalationFunctions.Tests.Support.Lanes.LaneDiscoverer";
    public const string AssemblyName = "EscalationFunctions.Tests";

    public const string TraitName = "Lane";

    public static string TraitValue(TestLane lane) => lane.ToString().ToLowerInvariant();

    public IEnumerable<KeyValuePair<string, string>> GetTraits(IAttributeInfo traitAttribute)
    {
        // Convert takes the argument boxed as the enum or as its underlying number alike.
        var lane = (TestLane)Convert.ToInt32(traitAttribute.GetConstructorArguments().Single());
        yield return new(TraitName, TraitValue(lane));
    }
}
