using Azure;
using Azure.Security.KeyVault.Secrets;
using EscalationFunctions.Engine.Secrets;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Engine.Telemetry;
using EscalationFunctions.Engine.Untrusted;
using Microsoft.Extensions.Logging;

namespace EscalationFunctions.Hosting.Secrets;

/// <summary>
/// The secret settings, read from Key Vault (<see cref="VaultSecretNames"/>) with
/// <see cref="SecretClient"/>. Each value is reused for <c>KEY_VAULT_CACHE_TTL_SEC</c>, then read
/// again, so a rotated secret is picked up without a restart. When the vault cannot be read (or
/// the secret is gone) the last good value stays in use, the failure is logged and counted
/// (metric <c>key_vault_failures</c>), and the read is retried after <see cref="RetryAfterFailure"/>.
/// Logs name secrets, never their values.
/// </summary>
public sealed class KeyVaultSecretStore : ISecretStore
{
    public const string FailureMetric = "key_vault_failures";
    public static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(30);

    private readonly SecretClient _client;
    private readonly TimeSpan _ttl;
    private readonly TimeProvider _time;
    private readonly IMetricSink _metrics;
    private readonly ILogger<KeyVaultSecretStore> _logger;
    private readonly Dictionary<string, Entry> _cache = new();
    private readonly SemaphoreSlim _reading = new(1, 1);
    private long _failures;

    /// <param name="startValues">What start-up read, so the first uses need no second round trip.</param>
    public KeyVaultSecretStore(SecretClient client, TimeSpan ttl, IReadOnlyDictionary<string, string?> startValues, TimeProvider time,
        IMetricSink metrics, ILogger<KeyVaultSecretStore> logger)
    {
        _client = client;
        _ttl = ttl;
        _time = time;
        _metrics = metrics;
        _logger = logger;
        var readAgainAt = time.GetUtcNow() + ttl;
        foreach (var (setting, value) in startValues)
        {
            _cache[setting] = new Entry(value, readAgainAt);
        }
    }

    public bool CanRotate => true;

    /// <summary>Failed reads since start.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    public async ValueTask<string?> GetAsync(string settingName, CancellationToken ct)
    {
        if (!VaultSecretNames.BySetting.TryGetValue(settingName, out var secretName))
        {
            return null;
        }
        if (Fresh(settingName) is { } fresh)
        {
            return fresh.Value;
        }

        await _reading.WaitAsync(ct);
        try
        {
            if (Fresh(settingName) is { } readMeanwhile)
            {
                return readMeanwhile.Value;
            }
            Entry? previous;
            lock (_cache)
            {
                previous = _cache.GetValueOrDefault(settingName);
            }
            try
            {
                var value = await ReadAsync(_client, secretName, ct)
                            ?? throw new KeyNotFoundException($"secret '{secretName}' not found");
                Remember(settingName, new Entry(value, _time.GetUtcNow() + _ttl));
                return value;
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                Interlocked.Increment(ref _failures);
                _metrics.Track(FailureMetric, 1);
                HostingLog.VaultReadFailed(_logger, secretName, Describe(e), RetryAfterFailure.TotalSeconds);
                Remember(settingName, new Entry(previous?.Value, _time.GetUtcNow() + RetryAfterFailure));
                return previous?.Value;
            }
        }
        finally
        {
            _reading.Release();
        }
    }

    /// <summary>
    /// Reads every vault-held secret at start-up. A missing required secret, or a vault that cannot
    /// be read at all, is a <see cref="SettingsException"/>: one line naming what to fix.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, string?>> LoadAsync(SecretClient client, Uri vault, CancellationToken ct)
    {
        var values = new Dictionary<string, string?>();
        var problems = new List<string>();
        foreach (var (setting, secretName) in VaultSecretNames.BySetting)
        {
            try
            {
                var value = await ReadAsync(client, secretName, ct);
                values[setting] = value;
                if (value is null && VaultSecretNames.Required.Contains(setting) && !(setting == SettingNames.SlackWebhookUrl && AppMode()))
                {
                    problems.Add($"{setting} is not set: Key Vault secret '{secretName}' was not found in {vault}; " +
                                 "expected it to hold the setting's value (infra/README.md lists the secrets).");
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                throw new SettingsException([
                    $"{SettingNames.KeyVaultUri}={vault} could not be read ({Describe(e)}): expected a vault the app's identity " +
                    "can read secrets from (role Key Vault Secrets User).",
                ]);
            }
        }
        if (problems.Count > 0)
        {
            throw new SettingsException(problems);
        }
        return values;

        // With the app's bot token in the vault (reference §10), pages go to channels: no webhook is needed.
        // The token is read before the webhook (VaultSecretNames lists it first).
        bool AppMode() => !string.IsNullOrWhiteSpace(values.GetValueOrDefault(SettingNames.SlackBotToken));
    }

    /// <summary>The secret's current value, or null when it does not exist.</summary>
    private static async Task<string?> ReadAsync(SecretClient client, string secretName, CancellationToken ct)
    {
        try
        {
            return (await client.GetSecretAsync(secretName, null, ct)).Value.Value;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    /// <summary>What went wrong, without the exception message (which may quote a response body).</summary>
    private static string Describe(Exception e) => e switch
    {
        RequestFailedException r => $"HTTP {r.Status} {UntrustedText.Escape(r.ErrorCode, 100)}".Trim(), // the vault's answer, logged
        KeyNotFoundException => "the secret no longer exists",
        _ => e.GetType().Name,
    };

    private Entry? Fresh(string settingName)
    {
        lock (_cache)
        {
            return _cache.TryGetValue(settingName, out var entry) && _time.GetUtcNow() < entry.ReadAgainAt ? entry : null;
        }
    }

    private void Remember(string settingName, Entry entry)
    {
        lock (_cache)
        {
            _cache[settingName] = entry;
        }
    }

    private sealed record Entry(string? Value, DateTimeOffset ReadAgainAt);
}
