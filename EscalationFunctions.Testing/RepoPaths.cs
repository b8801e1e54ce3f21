namespace EscalationFunctions.Testing;

/// <summary>Where things are in the repository, found from the running assembly.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>Debug or Release: the configuration the running assembly was built in.</summary>
    public static string Configuration { get; } =
        AppContext.BaseDirectory.Replace('\\', '/').Contains("/bin/Release/", StringComparison.Ordinal) ? "Release" : "Debug";

    public static string ServerDll { get; } = Path.Combine(Root, "EscalationFunctions.Server", "bin", Configuration, "net10.0", "EscalationFunctions.Server.dll");

    /// <summary>The compiled Functions app (EscalationFunctions.dll, functions.metadata, host.json).</summary>
    public static string FunctionsAppDirectory { get; } = Path.Combine(Root, "EscalationFunctions", "bin", Configuration, "net10.0");

    public static string Script(string name) => Path.Combine(Root, "scripts", name);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EscalationFunctions.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"Cannot find the repository root (EscalationFunctions.sln) above {AppContext.BaseDirectory}.");
    }
}
