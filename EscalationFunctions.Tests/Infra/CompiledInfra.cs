using System.Text.Json.Nodes;
using EscalationFunctions.Testing;

namespace EscalationFunctions.Tests.Infra;

[CollectionDefinition(Name)]
public sealed class InfraCollection : ICollectionFixture<CompiledInfra>
{
    public const string Name = "Infra (compiled Bicep)";
}

/// <summary>
/// infra/main.bicep compiled once by the real Bicep CLI into a temp folder: the ARM template, the
/// parameters of infra/main.bicepparam, and the parameters of a test params file with a
/// non-default tick and level-5 threshold, so the tests see concrete numbers.
/// </summary>
public sealed class CompiledInfra : IAsyncLifetime
{
    /// <summary>escTickMs in the test params file (the default is 60000).</summary>
    public const long CustomTickMs = 30000;

    /// <summary>incidentsLevelGe5Threshold in the test params file (the default is 0).</summary>
    public const long CustomLevelGe5Threshold = 3;

    private readonly string _dir = Directory.CreateTempSubdirectory("esc-infra-tests.").FullName;
    private JsonObject? _template;
    private JsonObject? _defaultParameters;
    private JsonObject? _customParameters;

    public string MainBicep => Path.Combine(RepoPaths.Root, "infra", "main.bicep");
    public BicepCli.Result Build { get; private set; } = new(-1, "", "");
    public BicepCli.Result CustomBuildParams { get; private set; } = new(-1, "", "");
    public string BuildDirectory => Path.Combine(_dir, "default");

    public JsonObject Template => _template ?? throw new InvalidOperationException("Not built.");

    /// <summary>infra/main.bicepparam, built with its environment variables unset.</summary>
    public JsonObject DefaultParameters => _defaultParameters ?? throw new InvalidOperationException("Not built.");

    public JsonObject CustomParameters => _customParameters ?? throw new InvalidOperationException("Not built.");

    /// <summary>The template with infra/main.bicepparam's values (what `azd provision` would send, env vars aside).</summary>
    public ArmScope Default(IReadOnlyDictionary<string, object?>? overrides = null) => ArmScope.Root(Template, DefaultParameters, overrides);

    /// <summary>The template with the test params file: escTickMs 30000, threshold 3, valid URL/e-mail/password.</summary>
    public ArmScope Custom(IReadOnlyDictionary<string, object?>? overrides = null) => ArmScope.Root(Template, CustomParameters, overrides);

    public async Task InitializeAsync()
    {
        Build = await BicepCli.RunCheckedAsync("build", BuildDirectory);
        _template = Load(Path.Combine(BuildDirectory, "main.json"));
        _defaultParameters = Load(Path.Combine(BuildDirectory, "main.parameters.json"));

        var custom = Path.Combine(_dir, "custom");
        Directory.CreateDirectory(custom);
        var paramsFile = Path.Combine(custom, "test.bicepparam");
        // Bicep takes only relative paths in 'using'.
        var mainRelative = Path.GetRelativePath(custom, MainBicep).Replace('\\', '/');
        await File.WriteAllTextAsync(paramsFile, $"""
            using '{mainRelative}'

            param environmentName = 'infratest'
            param appBaseUrl = 'https://incidents.example.com'
            param alertEmailAddress = 'oncall@example.com'
            param postgresAdminPassword = 'test-only-password-0123456789'
            param escTickMs = {CustomTickMs}
            param incidentsLevelGe5Threshold = {CustomLevelGe5Threshold}
            """);
        var customOut = Path.Combine(custom, "main.parameters.json");
        CustomBuildParams = await BicepCli.RunCheckedAsync("run", "build-params", paramsFile, "--outfile", customOut);
        _customParameters = Load(customOut);
    }

    public Task DisposeAsync()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is not worth failing a test run for.
        }
        return Task.CompletedTask;
    }

    private static JsonObject Load(string path) =>
        JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new InvalidOperationException($"{path} is not a JSON object.");
}
