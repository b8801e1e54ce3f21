using Azure.Core;
using Azure.Identity;
using Azure.Security.KeyVault.Secrets;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Hosting.Identity;
using EscalationFunctions.Hosting.Secrets;

namespace EscalationFunctions.Hosting;

/// <summary>
/// What a host needs before it builds its container: every setting parsed and validated, with the
/// secret settings taken from Key Vault when <c>KEY_VAULT_URI</c> is set (through the app's managed
/// identity, <see cref="DefaultAzureCredential"/>), else from the environment. With
/// <c>POSTGRES_AUTH=entra</c> the same identity must give a PostgreSQL access token before the host
/// starts. Both hosts load it the same way; a problem is a <see cref="SettingsException"/> with one
/// line per setting.
/// </summary>
public sealed class StartupConfiguration
{
    public required EscalationSettings Settings { get; init; }

    /// <summary>The settings only the hosts use, and what the platform tells them.</summary>
    public required HostSettings Host { get; init; }
    public required IReadOnlyList<string> Warnings { get; init; }
    public required Func<string, string?> Environment { get; init; }

    /// <summary>The app's identity: Key Vault reads and, with <c>POSTGRES_AUTH=entra</c>, PostgreSQL access tokens.</summary>
    public required TokenCredential Credential { get; init; }

    /// <summary>The vault's client when <c>KEY_VAULT_URI</c> is set.</summary>
    public SecretClient? Vault { get; init; }

    /// <summary>The secret values read from the vault at start-up.</summary>
    public IReadOnlyDictionary<string, string?> VaultValues { get; init; } = new Dictionary<string, string?>();

    public bool UsesApplicationInsights => Settings.Connections.ApplicationInsightsConnectionString is not null;

    /// <param name="environment">Reads a setting (environment variables, app settings).</param>
    /// <param name="requireTickSchedule">True for the Functions host, whose timer needs <c>ESC_TICK_SCHEDULE</c>.</param>
    /// <param name="vaultClient">Makes the vault client; tests pass one that does not need Azure.</param>
    /// <param name="credential">The app's identity; default <see cref="DefaultAzureCredential"/> (managed identity on Azure).</param>
    public static async Task<StartupConfiguration> LoadAsync(Func<string, string?> environment, bool requireTickSchedule = false,
        Func<Uri, SecretClient>? vaultClient = null, TokenCredential? credential = null, CancellationToken ct = default)
    {
        credential ??= new DefaultAzureCredential();
        var vaultSetting = environment(SettingNames.KeyVaultUri);
        StartupConfiguration loaded;
        if (string.IsNullOrWhiteSpace(vaultSetting) || !WebUrl.TryParse(vaultSetting, out var vaultUri, out _))
        {
            // No vault (or a malformed KEY_VAULT_URI, which the settings reader reports).
            RefuseUnresolvedVaultReferences(environment);
            var (settings, host) = HostSettingsReader.Read(environment, out var warnings, requireTickSchedule);
            loaded = new StartupConfiguration { Settings = settings, Host = host, Warnings = warnings, Environment = environment, Credential = credential };
        }
        else
        {
            var client = (vaultClient ?? (uri => DefaultVaultClient(uri, credential)))(vaultUri);
            var values = await KeyVaultSecretStore.LoadAsync(client, vaultUri, ct);
            string? Lookup(string name) => VaultSecretNames.BySetting.ContainsKey(name) ? values.GetValueOrDefault(name) : environment(name);
            RefuseUnresolvedVaultReferences(Lookup);
            var (fromVault, host) = HostSettingsReader.Read(Lookup, out var vaultWarnings, requireTickSchedule);
            loaded = new StartupConfiguration
            {
                Settings = fromVault,
                Host = host,
                Warnings = vaultWarnings,
                Environment = environment,
                Credential = credential,
                Vault = client,
                VaultValues = values,
            };
        }

        if (loaded.Settings.Connections.PostgresAuth == PostgresAuthentication.Entra)
        {
            await CheckPostgresTokenAsync(credential, ct);
        }
        return loaded;
    }

    /// <summary>
    /// When App Service cannot resolve a Key Vault reference (secret missing, no access, vault not
    /// reachable), the app setting holds the reference text itself. Taken as a value, that text
    /// would be a secret anyone who knows the vault's name could guess, so it stops start-up.
    /// </summary>
    private static void RefuseUnresolvedVaultReferences(Func<string, string?> settings)
    {
        var problems = SettingNames.All
            .Append(UnlistedSecretSettings)
            .Distinct()
            .Where(name => settings(name)?.TrimStart().StartsWith("@Microsoft.KeyVault(", StringComparison.OrdinalIgnoreCase) == true)
            .Select(name => $"{name} is an unresolved Key Vault reference ({settings(name)!.Trim()}): App Service could not read that " +
                            "secret. Create it in the vault, and check that the app's identity holds Key Vault Secrets User.")
            .ToList();
        if (problems.Count > 0)
        {
            throw new SettingsException(problems);
        }
    }

    /// <summary>Secret settings the template references that <see cref="SettingNames"/> may not list yet (spec 1.1).</summary>
    private const string UnlistedSecretSettings = "SLACK_SIGNING_SECRET";

    /// <summary>
    /// Without a token no connection opens, so a missing or misconfigured identity stops the host
    /// at start-up with one line instead of failing every tick later.
    /// </summary>
    private static async Task CheckPostgresTokenAsync(TokenCredential credential, CancellationToken ct)
    {
        try
        {
            await PostgresAccessTokenSource.FetchAsync(credential, ct);
        }
        catch (PostgresAccessTokenException e)
        {
            throw new SettingsException([
                $"{SettingNames.PostgresAuth}=entra, but the app's identity gives no token: {e.Message}. On Azure, AZURE_CLIENT_ID must be " +
                "the client id of the app's user-assigned identity; locally, sign in with 'az login' (or set POSTGRES_AUTH=password).",
            ]);
        }
    }

    /// <summary>
    /// <see cref="LoadAsync"/> for a host's entry point: on a configuration problem it writes one
    /// line per problem to <paramref name="errors"/> and returns null (the host then exits).
    /// </summary>
    public static async Task<StartupConfiguration?> LoadOrReportAsync(Func<string, string?> environment, TextWriter errors,
        bool requireTickSchedule = false, TokenCredential? credential = null)
    {
        try
        {
            return await LoadAsync(environment, requireTickSchedule, credential: credential);
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

    private static SecretClient DefaultVaultClient(Uri vault, TokenCredential credential) => new(vault, credential, new SecretClientOptions
    {
        // Fail within seconds rather than minutes: callers keep the last good value meanwhile.
        Retry = { MaxRetries = 2, NetworkTimeout = TimeSpan.FromSeconds(10) },
    });
}
