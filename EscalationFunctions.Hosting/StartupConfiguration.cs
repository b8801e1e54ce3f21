using Azure.Identity;
using Azure.Security.KeyVault.Secrets;
using EscalationFunctions.Engine.Configuration;
using EscalationFunctions.Hosting.Secrets;

namespace EscalationFunctions.Hosting;

/// <summary>
/// What a host needs before it builds its container: every setting parsed and validated, with the
/// secret settings taken from Key Vault when <c>KEY_VAULT_URI</c> is set (through the app's managed
/// identity, <see cref="DefaultAzureCredential"/>), else from the environment. Both hosts load it
/// the same way; a problem is a <see cref="SettingsException"/> with one line per setting.
/// </summary>
public sealed class StartupConfiguration
{
    public required EscalationSettings Settings { get; init; }
    public required IReadOnlyList<string> Warnings { get; init; }
    public required Func<string, string?> Environment { get; init; }

    /// <summary>The vault's client when <c>KEY_VAULT_URI</c> is set.</summary>
    public SecretClient? Vault { get; init; }

    /// <summary>The secret values read from the vault at start-up.</summary>
    public IReadOnlyDictionary<string, string?> VaultValues { get; init; } = new Dictionary<string, string?>();

    public bool UsesApplicationInsights => Settings.Connections.ApplicationInsightsConnectionString is not null;

    /// <param name="environment">Reads a setting (environment variables, app settings).</param>
    /// <param name="requireTickSchedule">True for the Functions host, whose timer needs <c>ESC_TICK_SCHEDULE</c>.</param>
    /// <param name="vaultClient">Makes the vault client; tests pass one that does not need Azure.</param>
    public static async Task<StartupConfiguration> LoadAsync(Func<string, string?> environment, bool requireTickSchedule = false,
        Func<Uri, SecretClient>? vaultClient = null, CancellationToken ct = default)
    {
        var vaultSetting = environment(SettingNames.KeyVaultUri);
        if (string.IsNullOrWhiteSpace(vaultSetting) || !WebUrl.TryParse(vaultSetting, out var vaultUri, out _))
        {
            // No vault (or a malformed KEY_VAULT_URI, which the settings reader reports).
            var settings = SettingsReader.Read(environment, out var warnings, requireTickSchedule);
            return new StartupConfiguration { Settings = settings, Warnings = warnings, Environment = environment };
        }

        var client = (vaultClient ?? DefaultVaultClient)(vaultUri);
        var values = await KeyVaultSecretStore.LoadAsync(client, vaultUri, ct);
        string? Lookup(string name) => VaultSecretNames.BySetting.ContainsKey(name) ? values.GetValueOrDefault(name) : environment(name);
        var fromVault = SettingsReader.Read(Lookup, out var vaultWarnings, requireTickSchedule);
        return new StartupConfiguration
        {
            Settings = fromVault,
            Warnings = vaultWarnings,
            Environment = environment,
            Vault = client,
            VaultValues = values,
        };
    }

    /// <summary>
    /// <see cref="LoadAsync"/> for a host's entry point: on a configuration problem it writes one
    /// line per problem to <paramref name="errors"/> and returns null (the host then exits).
    /// </summary>
    public static async Task<StartupConfiguration?> LoadOrReportAsync(Func<string, string?> environment, TextWriter errors,
        bool requireTickSchedule = false)
    {
        try
        {
            return await LoadAsync(environment, requireTickSchedule);
        }
        catch (SettingsException e)
        {
            foreach (var problem in e.Problems)
            {
                await errors.WriteLineAsync($"Configuration error: {problem}");
            }
            return null;
        }
    }

    private static SecretClient DefaultVaultClient(Uri vault) => new(vault, new DefaultAzureCredential(), new SecretClientOptions
    {
        // Fail within seconds rather than minutes: callers keep the last good value meanwhile.
        Retry = { MaxRetries = 2, NetworkTimeout = TimeSpan.FromSeconds(10) },
    });
}
