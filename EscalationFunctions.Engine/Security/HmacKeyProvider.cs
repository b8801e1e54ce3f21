using EscalationFunctions.Engine.Secrets;
using EscalationFunctions.Engine.Settings;
using Microsoft.Extensions.Logging;

namespace EscalationFunctions.Engine.Security;

/// <summary>The current ops HMAC key(s): <c>OPS_HMAC_SECRET</c>, re-read from the secret store on use.</summary>
public sealed class HmacKeyProvider
{
    private readonly RotatingSecret<string?, IReadOnlyList<string>> _keys;

    public HmacKeyProvider(EscalationSettings settings, ISecretStore secrets, ILogger<HmacKeyProvider> logger)
    {
        _keys = new RotatingSecret<string?, IReadOnlyList<string>>(
            SettingNames.OpsHmacSecret,
            settings.Ops.HmacSecrets,
            ct => secrets.GetAsync(SettingNames.OpsHmacSecret, ct),
            raw => SecretFormats.TryParseHmacKeys(raw, out var keys, out var problem) ? (keys, null) : (null, problem),
            logger);
    }

    public ValueTask<IReadOnlyList<string>> GetKeysAsync(CancellationToken ct) => _keys.GetAsync(ct);
}
