using System.Reflection;
using Xunit.Sdk;

namespace EscalationFunctions.Tests.Architecture;

/// <summary>
/// Every test class is in exactly one lane (<see cref="LaneAttribute"/>), so that
/// <c>scripts/test.sh --fast</c> (<c>Lane=unit|Lane=database</c>) plus the process and infra lanes
/// is every test, and no test runs twice or never. The traits are read the way xunit reads them:
/// every trait attribute of the class and of the method, through its own discoverer.
/// </summary>
[Lane(TestLane.Unit)]
public sealed class TestLaneTests
{
    private static readonly HashSet<string> KnownLanes = Enum.GetValues<TestLane>().Select(LaneDiscoverer.TraitValue).ToHashSet();

    [Fact]
    public void Every_test_class_has_exactly_one_known_lane()
    {
        var testClasses = typeof(TestLaneTests).Assembly.GetTypes()
            .Where(t => t.IsClass && !t.IsAbstract && TestMethods(t).Any())
            .ToList();
        Assert.True(testClasses.Count > 100, $"only {testClasses.Count} test classes found; the reflection no longer sees them");

        var wrong = new List<string>();
        foreach (var testClass in testClasses)
        {
            foreach (var method in TestMethods(testClass))
            {
                var lanes = LanesOf(testClass).Concat(LanesOf(method)).ToList();
                if (lanes.Count != 1 || !KnownLanes.Contains(lanes[0]))
                {
                    wrong.Add($"{testClass.FullName}.{method.Name}: {(lanes.Count == 0 ? "no lane" : string.Join(", ", lanes))}");
                }
            }
        }

        Assert.True(wrong.Count == 0,
            $"Each test class needs exactly one [Lane(TestLane.Unit|Database|Process|Infra)] (Support/Lanes/TestLane.cs says which):\n{string.Join('\n', wrong)}");
    }

    [Fact]
    public void A_class_without_a_lane_or_with_two_is_caught()
    {
        Assert.Empty(LanesOf(typeof(NoLane)));
        Assert.Equal(["unit", "process"], LanesOf(typeof(TwoLanes)).Concat(LanesOf(typeof(TwoLanes).GetMethod(nameof(TwoLanes.Test))!)));
    }

    private static IEnumerable<MethodInfo> TestMethods(Type type) =>
        type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static)
            .Where(m => m.GetCustomAttributes<FactAttribute>(inherit: true).Any());

    private static List<string> LanesOf(MemberInfo member) =>
        member.GetCustomAttributesData()
            .Concat(member is Type { BaseType: { } baseType } ? InheritedTraitData(baseType) : [])
            .SelectMany(Traits)
            .Where(t => t.Key == LaneDiscoverer.TraitName)
            .Select(t => t.Value)
            .ToList();

    /// <summary>Trait attributes a base class passes on (xunit's own <c>[Trait]</c> is inherited; a <see cref="LaneAttribute"/> is not).</summary>
    private static IEnumerable<CustomAttributeData> InheritedTraitData(Type type) =>
        type.GetCustomAttributesData()
            .Where(a => a.AttributeType.GetCustomAttribute<AttributeUsageAttribute>()?.Inherited ?? true)
            .Concat(type.BaseType is { } next ? InheritedTraitData(next) : []);

    private static IEnumerable<KeyValuePair<string, string>> Traits(CustomAttributeData attribute)
    {
        if (!typeof(ITraitAttribute).IsAssignableFrom(attribute.AttributeType))
        {
            return [];
        }
        var discovererData = attribute.AttributeType.GetCustomAttributesData().Single(a => a.AttributeType == typeof(TraitDiscovererAttribute));
        var typeName = (string)discovererData.ConstructorArguments[0].Value!;
        var assemblyName = (string)discovererData.ConstructorArguments[1].Value!;
        var discoverer = (ITraitDiscoverer)Activator.CreateInstance(Type.GetType($"{typeName}, {assemblyName}", throwOnError: true)!)!;
        return discoverer.GetTraits(Reflector.Wrap(attribute));
    }

    private sealed class NoLane
    {
    }

    [Lane(TestLane.Unit)]
    private sealed class TwoLanes
    {
        [Trait("Lane", "process")]
        public void Test()
        {
        }
    }
}
