using System.Globalization;
using System.Text;
using EscalationFunctions.Engine.Security;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Support;

namespace EscalationFunctions.Tests.Endpoints;

/// <summary>
/// Raw requests (<see cref="RawHttp"/>) to Slack's click route and the two acknowledge routes of the
/// plain server, signed the way Slack and an operator's client sign them. Raw, because
/// <see cref="HttpClient"/> (through <see cref="Uri"/>) turns <c>%2E</c> into a dot segment and drops it.
/// </summary>
public static class EndpointCalls
{
    public const string Interactions = "/slack/interactions";

    /// <summary>The body form of acknowledge: <c>{"incidentKey": "..."}</c>.</summary>
    public const string AckByBody = "/ops/incidents/ack";

    public const string FunctionKeyHeader = "x-functions-key";

    /// <summary>The path form of acknowledge, with <paramref name="segment"/> sent exactly as given.</summary>
    public static string AckByPath(string segment) => $"/ops/incidents/{segment}/ack";

    /// <summary>The body form's body; the request id keeps two calls for one key in one second from having the same signature (a replay).</summary>
    public static byte[] AckBody(string key, bool relaxed = false) =>
        Encoding.UTF8.GetBytes($$"""{"incidentKey":{{HostileKeys.Json(key, relaxed)}},"requestId":"{{Guid.NewGuid()}}"}""");

    /// <summary>A body for the path form, as <see cref="OpsCall.Signed"/> sends.</summary>
    public static byte[] RequestIdBody() => Encoding.UTF8.GetBytes($$"""{"requestId":"{{Guid.NewGuid()}}"}""");

    public static List<(string Name, string Value)> SlackSignature(byte[] body, long? timestamp = null, string secret = SlackClick.Secret)
    {
        var ts = timestamp ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return
        [
            ("Content-Type", "application/x-www-form-urlencoded"),
            (SlackRequestSignature.TimestampHeader, ts.ToString(CultureInfo.InvariantCulture)),
            (SlackRequestSignature.SignatureHeader, SlackRequestSignature.Sign(secret, ts, body)),
        ];
    }

    /// <summary>Signature and, unless null, the principal header of an ops call.</summary>
    public static List<(string Name, string Value)> OpsSignature(byte[] body, string? principal, long? timestamp = null, string secret = OpsCall.Secret)
    {
        var ts = timestamp ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var headers = new List<(string, string)>
        {
            ("Content-Type", "application/json"),
            (HmacRequestSignature.TimestampHeader, ts.ToString(CultureInfo.InvariantCulture)),
            (HmacRequestSignature.SignatureHeader, HmacRequestSignature.Sign(secret, ts, body)),
        };
        if (principal is not null)
        {
            headers.Add((ClientPrincipal.Header, principal));
        }
        return headers;
    }

    /// <summary>A click signed with Slack's signing secret, as Slack posts it.</summary>
    public static byte[] Click(byte[] formBody, string? functionKey = null) =>
        RawHttp.Request("POST", Interactions, WithKey(SlackSignature(formBody), functionKey), formBody);

    /// <summary>An admin's signed acknowledge call to <paramref name="target"/> (either form).</summary>
    public static byte[] Ack(string target, byte[] body, string principal, string? functionKey = null) =>
        RawHttp.Request("POST", target, WithKey(OpsSignature(body, principal), functionKey), body);

    private static List<(string Name, string Value)> WithKey(List<(string Name, string Value)> headers, string? functionKey)
    {
        if (functionKey is not null)
        {
            headers.Add((FunctionKeyHeader, functionKey));
        }
        return headers;
    }
}
