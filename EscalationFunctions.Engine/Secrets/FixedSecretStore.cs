namespace EscalationFunctions.Engine.Secrets;

/// <summary>Values fixed at start-up, from the environment.</summary>
public sealed class FixedSecretStore(Func<string, string?> lookup) : ISecretStore
{
    public bool CanRotate => false;

    public ValueTask<string?> GetAsync(string settingName, CancellationToken ct) => ValueTask.FromResult(lookup(settingName));
}
