using System.Text.Json.Nodes;
using EscalationFunctions.Testing;

namespace EscalationFunctions.Tests.Infra;

[CollectionDefinition(Name)]
public sealed class InfraCollection : ICollectionFixture<InfraSnapshots>
{
    public const string Name = "Infra (bicep snapshot)";
}

/// <summary>
/// infra/main.bicep evaluated by the Bicep CLI's own evaluator (<c>scripts/bicep.sh snapshot</c>,
/// i.e. <c>bicep snapshot</c>) for a handful of parameter files, once per test run and in
/// parallel: every expression that does not need a live Azure is evaluated, and the template's
/// <c>fail()</c> checks run. Values only Azure knows (an identity's principal id, a vault's URI)
/// stay ARM expressions such as <c>[reference('/subscriptions/…', '2023-01-31').principalId]</c>.
/// </summary>
public sealed class InfraSnapshots : IAsyncLifetime
{
    /// <summary>The placeholders scripts/bicep.sh snapshot deploys to.</summary>
    public const string SubscriptionId = "00000000-0000-4000-8000-00000000e5c1";
    public const string ResourceGroup = "rg-escalation-snapshot";
    public const string Location = "swedencentral";

    public const string AuthClientId = "6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b";

    /// <summary>escTickMs and incidentsLevelGe5Threshold of <see cref="Custom"/> (the defaults are 60000 and 0).</summary>
    public const long CustomTickMs = 30000;
    public const long CustomLevelGe5Threshold = 3;

    /// <summary>
    /// Tick periods snapshotted besides 30000 and the default 60000: the smallest allowed, and the
    /// largest, whose alert window has to grow past 5 minutes. (Each snapshot costs seconds.)
    /// </summary>
    public static readonly long[] SampledTicks = [5000, 3600000];

    /// <summary>The environment azd gives main.bicepparam (the values it cannot do without).</summary>
    public static readonly IReadOnlyDictionary<string, string> AzdEnvironment = new Dictionary<string, string>
    {
        ["AZURE_ENV_NAME"] = "prod",
        ["APP_BASE_URL"] = "https://incidents.example.com",
        ["ALERT_EMAIL_ADDRESS"] = "oncall@example.com",
        ["AUTH_CLIENT_ID"] = AuthClientId,
    };

    public const string DeployerObjectId = "0d9a8b7c-6e5f-4a3b-8c2d-1e0f9a8b7c6d";
    public static readonly string[] OperatorIpRanges = ["203.0.113.7/32", "198.51.100.0/24"];
    public static readonly string[] PostgresIpRanges = ["203.0.113.7", "198.51.100.10-198.51.100.20"];

    private readonly string _dir = Directory.CreateTempSubdirectory("esc-infra-snapshot.").FullName;
    private readonly Dictionary<string, (BicepCli.Result Result, Snapshot? Snapshot)> _runs = [];

    // The machine is shared: two Bicep processes at a time keep both cores busy without thrashing.
    private readonly SemaphoreSlim _parallel = new(2);

    /// <summary>A test parameters file: escTickMs 30000, threshold 3, private network.</summary>
    public Snapshot Custom => Get("custom");

    /// <summary>infra/main.bicepparam itself, with only the variables azd must provide.</summary>
    public Snapshot Default => Get("default");

    /// <summary>infra/main.bicepparam with a deployer (AZURE_PRINCIPAL_ID) and operator addresses for Key Vault.</summary>
    public Snapshot WithOperators => Get("operators");

    /// <summary>vnetEnabled=false with two PostgreSQL address ranges.</summary>
    public Snapshot WithoutVnet => Get("novnet");

    public Snapshot ForTick(long tickMs) => tickMs switch
    {
        CustomTickMs => Custom,
        60000 => Default,
        _ => Get($"tick{tickMs}"),
    };

    /// <summary>A run whose template stopped with fail(): its output.</summary>
    public BicepCli.Result Failed(string name) => _runs[name].Result;

    public async Task InitializeAsync()
    {
        var main = Path.GetRelativePath(_dir, Path.Combine(RepoPaths.Root, "infra", "main.bicep")).Replace('\\', '/');
        var mainParams = Path.Combine(RepoPaths.Root, "infra", "main.bicepparam");
        string Params(string extra = "", long tick = CustomTickMs) => $"""
            using '{main}'

            param environmentName = 'infratest'
            param appBaseUrl = 'https://incidents.example.com'
            param alertEmailAddress = 'oncall@example.com'
            param authClientId = '{AuthClientId}'
            param escTickMs = {tick}
            param incidentsLevelGe5Threshold = {CustomLevelGe5Threshold}
            {extra}
            """;
        var operators = new Dictionary<string, string>(AzdEnvironment)
        {
            ["AZURE_PRINCIPAL_ID"] = DeployerObjectId,
            ["KEY_VAULT_ALLOWED_IPS"] = string.Join(',', OperatorIpRanges),
        };
        var ranges = string.Join(", ", PostgresIpRanges.Select(r => $"'{r}'"));

        var runs = new List<Task>
        {
            RunAsync("custom", Params()),
            RunCopyAsync("default", mainParams, AzdEnvironment),
            RunCopyAsync("operators", mainParams, operators),
            RunAsync("novnet", Params($"param vnetEnabled = false\nparam postgresAllowedIpRanges = [{ranges}]")),
            RunAsync("http-base-url", Params().Replace("https://incidents.example.com", "http://incidents.example.com", StringComparison.Ordinal)),
            RunAsync("all-azure", Params("param vnetEnabled = false\nparam postgresAllowedIpRanges = ['0.0.0.0']")),
            RunCopyAsync("no-client-id", mainParams, AzdEnvironment.Where(e => e.Key != "AUTH_CLIENT_ID").ToDictionary()),
        };
        runs.AddRange(SampledTicks.Select(t => RunAsync($"tick{t}", Params(tick: t))));
        await Task.WhenAll(runs);
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

    private Snapshot Get(string name) =>
        _runs[name].Snapshot ?? throw new InvalidOperationException($"bicep snapshot '{name}' failed:\n{_runs[name].Result}");

    private Task RunAsync(string name, string paramsText) =>
        RunFileAsync(name, WriteParams(name, paramsText), new Dictionary<string, string>());

    /// <summary>A copy of infra/main.bicepparam (its 'using' rewritten), so parallel runs do not share a snapshot file.</summary>
    private Task RunCopyAsync(string name, string paramsFile, IReadOnlyDictionary<string, string> environment)
    {
        var main = Path.GetRelativePath(_dir, Path.Combine(RepoPaths.Root, "infra", "main.bicep")).Replace('\\', '/');
        var text = File.ReadAllText(paramsFile).Replace("using 'main.bicep'", $"using '{main}'", StringComparison.Ordinal);
        Assert.Contains($"using '{main}'", text);
        return RunFileAsync(name, WriteParams(name, text), environment);
    }

    private string WriteParams(string name, string text)
    {
        var file = Path.Combine(_dir, $"{name}.bicepparam");
        File.WriteAllText(file, text);
        return file;
    }

    private async Task RunFileAsync(string name, string paramsFile, IReadOnlyDictionary<string, string> environment)
    {
        BicepCli.Result result;
        await _parallel.WaitAsync();
        try
        {
            result = await BicepCli.RunWithAsync(environment, "snapshot", paramsFile);
        }
        finally
        {
            _parallel.Release();
        }
        var output = Path.ChangeExtension(paramsFile, ".snapshot.json");
        var snapshot = result.ExitCode == 0 && File.Exists(output) ? new Snapshot(name, (JsonObject)JsonNode.Parse(File.ReadAllText(output))!) : null;
        lock (_runs)
        {
            _runs[name] = (result, snapshot);
        }
    }
}
