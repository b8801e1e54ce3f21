using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Testing;

namespace EscalationFunctions.Tests.Architecture;

/// <summary>
/// Engine classes stay small enough to read in one sitting (docs/design.md): a class that needs more
/// than <see cref="MaxDependencies"/> collaborators, or a file longer than <see cref="MaxLines"/>
/// lines, is doing more than one job; and each file is one type, named as the file, so a type is
/// found by its name. Each failure names the class or file and its size.
/// </summary>
[Lane(TestLane.Unit)]
public sealed partial class EngineSizeTests
{
    public const int MaxLines = 200;
    public const int MaxDependencies = 6;

    private static readonly string EngineFolder = Path.Combine(RepoPaths.Root, "EscalationFunctions.Engine");

    [Fact]
    public void No_engine_source_file_is_longer_than_the_limit()
    {
        var files = EngineFiles();

        var tooLong = files.Select(f => (File: Path.GetRelativePath(EngineFolder, f), Lines: File.ReadLines(f).Count()))
            .Where(f => f.Lines > MaxLines).OrderByDescending(f => f.Lines)
            .Select(f => $"{f.File}: {f.Lines} lines").ToList();
        Assert.True(tooLong.Count == 0, $"over {MaxLines} lines: " + string.Join("; ", tooLong));
    }

    [Fact]
    public void Each_engine_file_declares_one_type_named_as_the_file()
    {
        var files = EngineFiles();
        var wrong = files.Select(f => (File: Path.GetRelativePath(EngineFolder, f),
                Types: TopLevelType().Matches(File.ReadAllText(f)).Select(m => m.Groups["name"].Value).ToList()))
            .Where(f => f.Types.Count != 1 || f.Types[0] != Path.GetFileNameWithoutExtension(f.File))
            .Select(f => $"{f.File}: {string.Join(", ", f.Types)}").ToList();
        Assert.True(wrong.Count == 0, "files that are not one type named as the file: " + string.Join("; ", wrong));
    }

    [Fact]
    public void No_engine_class_takes_more_than_the_limit_of_dependencies()
    {
        var classes = typeof(EscalationSettings).Assembly.GetTypes()
            .Where(t => t.IsClass && !t.IsAbstract && !IsRecord(t) && !t.IsDefined(typeof(CompilerGeneratedAttribute))
                && t.Namespace?.StartsWith("EscalationFunctions.Engine", StringComparison.Ordinal) == true)
            .ToList();
        Assert.Contains(classes, t => t.GetConstructors().Any(c => c.GetParameters().Length >= 3));   // the check sees services at all

        var tooMany = classes
            .Select(t => (Type: t, Dependencies: t.GetConstructors().Select(c => c.GetParameters().Length).DefaultIfEmpty(0).Max()))
            .Where(t => t.Dependencies > MaxDependencies).OrderByDescending(t => t.Dependencies)
            .Select(t => $"{t.Type.FullName}: {t.Dependencies}").ToList();
        Assert.True(tooMany.Count == 0, $"over {MaxDependencies} constructor dependencies: " + string.Join("; ", tooMany));
    }

    private static List<string> EngineFiles()
    {
        var files = Directory.EnumerateFiles(EngineFolder, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToList();
        Assert.True(files.Count > 100, $"only {files.Count} engine files found under {EngineFolder}");
        return files;
    }

    // A type declared at the start of a line (nested types are indented).
    [GeneratedRegex(@"^(?:public|internal|file)(?: (?:static|sealed|abstract|readonly|partial))* (?:class|record|struct|interface|enum)(?: struct)? (?<name>\w+)", RegexOptions.Multiline)]
    private static partial Regex TopLevelType();

    // A record's compiler-made copy method; a record is data, its constructor takes values, not collaborators.
    private static bool IsRecord(Type type) =>
        type.GetMethod("<Clone>$", BindingFlags.Public | BindingFlags.Instance) is not null;
}
