using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using EscalationFunctions.Engine.Security;

namespace EscalationFunctions.Testing;

/// <summary>
/// What Slack sends to the Interactivity Request URL when someone clicks a button: a form body
/// with one field <c>payload</c> (a <c>block_actions</c> JSON), signed with the app's signing secret
/// (v0), as Slack documents it.
/// </summary>
public static class SlackClick
{
    public const string Secret = "8f742231b10e8888abcd99yyyzzz85a5";
    public const string OldSecret = "0123456789abcdef0123456789abcdef";
    public const string UserId = "U024BE7LH";

    /// <param name="message">The clicked message as the worker posted it (Slack sends it back in the payload).</param>
    public static string Payload(string incidentKey, Uri responseUrl, string userId = UserId, string actionId = "ack", string? message = null)
    {
        var payload = new JsonObject
        {
            ["type"] = "block_actions",
            ["user"] = new JsonObject { ["id"] = userId, ["username"] = "alice", ["team_id"] = "T0CAG" },
            ["api_app_id"] = "A0CA5",
            ["container"] = new JsonObject { ["type"] = "message", ["message_ts"] = "1548261231.000200" },
            ["trigger_id"] = "12345.98765.abcd2358fdea",
            ["response_url"] = responseUrl.AbsoluteUri,
            ["actions"] = new JsonArray
            {
                new JsonObject
                {
                    ["action_id"] = actionId,
                    ["block_id"] = "=qXel",
                    ["type"] = "button",
                    ["value"] = incidentKey,
                    ["action_ts"] = "1548426417.840180",
                },
            },
        };
        if (message is not null)
        {
            payload["message"] = JsonNode.Parse(message);
        }
        return payload.ToJsonString();
    }

    public static byte[] FormBody(string payloadJson) => Encoding.UTF8.GetBytes("payload=" + Uri.EscapeDataString(payloadJson));

    /// <summary>A signed POST of <paramref name="body"/> to <paramref name="path"/>; <paramref name="timestamp"/> defaults to now.</summary>
    public static HttpRequestMessage Signed(string path, byte[] body, string secret = Secret, long? timestamp = null)
    {
        var ts = timestamp ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/x-www-form-urlencoded");
        request.Headers.TryAddWithoutValidation(SlackRequestSignature.TimestampHeader, ts.ToString(CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation(SlackRequestSignature.SignatureHeader, SlackRequestSignature.Sign(secret, ts, body));
        return request;
    }
}
