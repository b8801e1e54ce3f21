using System.Security.Cryptography;
using System.Text;

namespace EscalationFunctions.Engine.Settings;

/// <summary>
/// How a webhook is named in the database (<c>slack_webhook_lanes.webhook_id</c>): the SHA-256 hex
/// of its URL. The URL is a secret and is never stored; the hash names it without revealing it.
/// </summary>
public static class WebhookId
{
    /// <summary>The id of routes that have no webhook at all; their messages fail until one is configured.</summary>
    public const string None = "none";

    public static string Of(SlackWebhook webhook) =>
        webhook.Url is null ? None : Hash(webhook.Url.AbsoluteUri);

    /// <summary>
    /// The id of a click answer's lane: its response_url as stored, hashed like a webhook's URL (it is
    /// a bearer token too), behind a prefix so that it never names a webhook's lane.
    /// </summary>
    public static string OfDestination(string destination) => Hash("response_url " + destination);

    /// <summary>The id of an app-mode channel's lane: the channel id is no secret, so it is kept readable.</summary>
    public static string OfChannel(string channel) => "channel:" + channel;

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
