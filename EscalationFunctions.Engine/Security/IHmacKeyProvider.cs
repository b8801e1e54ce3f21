using EscalationFunctions.Engine.Configuration;

namespace EscalationFunctions.Engine.Security;

/// <summary>The current ops HMAC key(s). A secret store that rotates keys supplies its own.</summary>
public interface IHmacKeyProvider
{
    ValueTask<IReadOnlyList<string>> GetKeysAsync(CancellationToken ct);
}

/// <summary>The keys read at start-up from <c>OPS_HMAC_SECRET</c>.</summary>
public sealed class SettingsHmacKeyProvider(EscalationSettings settings) : IHmacKeyProvider
{
    public ValueTask<IReadOnlyList<string>> GetKeysAsync(CancellationToken ct) => ValueTask.FromResult(settings.Ops.HmacSecrets);
}
