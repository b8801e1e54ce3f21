using Azure;
using Azure.Security.KeyVault.Secrets;
using Moq;

namespace EscalationFunctions.Testing;

/// <summary>
/// A Moq <see cref="SecretClient"/> (Key Vault cannot run here) over a dictionary of secrets.
/// <see cref="Unreachable"/> makes every read fail as a vault outage does.
/// </summary>
public sealed class FakeVault
{
    public static readonly Uri Uri = new("https://esc-test.vault.azure.net/");

    private readonly Dictionary<string, string> _secrets;

    public FakeVault(Dictionary<string, string> secrets)
    {
        _secrets = secrets;
        Mock = new Mock<SecretClient>(MockBehavior.Strict);
        Mock.Setup(c => c.GetSecretAsync(It.IsAny<string>(), null, It.IsAny<CancellationToken>()))
            .Returns((string name, string _, CancellationToken _) => Read(name));
    }

    public Mock<SecretClient> Mock { get; }
    public SecretClient Client => Mock.Object;
    public bool Unreachable { get; set; }

    public void Set(string name, string value) => _secrets[name] = value;

    public void Delete(string name) => _secrets.Remove(name);

    public int ReadsOf(string name) => Mock.Invocations.Count(i => i.Method.Name == nameof(SecretClient.GetSecretAsync) && (string)i.Arguments[0] == name);

    private Task<Response<KeyVaultSecret>> Read(string name)
    {
        if (Unreachable)
        {
            throw new RequestFailedException(503, "Service Unavailable");
        }
        if (!_secrets.TryGetValue(name, out var value))
        {
            throw new RequestFailedException(404, $"A secret with (name/id) {name} was not found in this key vault.", "SecretNotFound", null);
        }
        return Task.FromResult(Response.FromValue(SecretModelFactory.KeyVaultSecret(new SecretProperties(name), value), Mock<Response>.Of<Response>()));
    }
}
