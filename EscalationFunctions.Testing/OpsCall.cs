using System.Text;
using System.Text.Json;
using EscalationFunctions.Engine.Security;

namespace EscalationFunctions.Testing;

/// <summary>Builds ops requests the way an operator's client does: raw body, timestamp, signature, principal.</summary>
public static class OpsCall
{
    public const string Secret = "test-ops-hmac-secret-0123456789abcdef-new";
    public const string OldSecret = "test-ops-hmac-secret-0123456789abcdef-old";
    public const string AdminRole = "ops_admin";

    /// <summary>
    /// A signed request. The default body carries a fresh request id, as the sign command's does: two
    /// calls with the same body in the same second have the same signature, and the second is a replay.
    /// </summary>
    public static HttpRequestMessage Signed(string path, string? body = null, string secret = Secret, long? timestamp = null,
        string? principal = null, bool withPrincipal = true, string method = "POST")
    {
        var bytes = Encoding.UTF8.GetBytes(body ?? $$"""{"requestId":"{{Guid.NewGuid()}}"}""");
        var ts = timestamp ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.TryAddWithoutValidation(HmacRequestSignature.TimestampHeader, ts.ToString());
        request.Headers.TryAddWithoutValidation(HmacRequestSignature.SignatureHeader, HmacRequestSignature.Sign(secret, ts, bytes));
        if (withPrincipal)
        {
            request.Headers.TryAddWithoutValidation(ClientPrincipal.Header, principal ?? Admin("alice"));
        }
        return request;
    }

    public static string Admin(string name) => ClientPrincipal.Encode(name, [AdminRole]);

    /// <summary>Copies a request so it can be sent again (HttpRequestMessage can be sent once).</summary>
    public static async Task<HttpRequestMessage> CloneAsync(HttpRequestMessage original, string? path = null)
    {
        var copy = new HttpRequestMessage(original.Method, path ?? original.RequestUri!.ToString());
        var body = await original.Content!.ReadAsByteArrayAsync();
        copy.Content = new ByteArrayContent(body);
        copy.Content.Headers.ContentType = original.Content.Headers.ContentType;
        foreach (var header in original.Headers)
        {
            copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
        return copy;
    }

    public sealed record Answer(int Status, JsonElement Json, string Raw, HttpResponseMessage Response)
    {
        public string? Error => Json.ValueKind == JsonValueKind.Object && Json.TryGetProperty("error", out var e) ? e.GetString() : null;
    }

    public static async Task<Answer> SendAsync(HttpClient client, HttpRequestMessage request)
    {
        var response = await client.SendAsync(request);
        var raw = await response.Content.ReadAsStringAsync();
        var json = raw.Length > 0 ? JsonDocument.Parse(raw).RootElement.Clone() : default;
        return new Answer((int)response.StatusCode, json, raw, response);
    }
}
