using System.Security.Cryptography;
using System.Text;

namespace EscalationFunctions.Engine.Notifications;

/// <summary>
/// How a webhook is named in the database (<c>slack_webhook_lanes.webhook_id</c>): the SHA-256 hex
/// of its URL. The URL is a secret and is never stored; the hash names it without revealing it.
/// </summary>
public static class WebhookId
{
    /// <summary>The id of routes that have no webhook at all; their messages fail until one is configured.</summary>
    public const string None = "none";

    public static string Of(SlackWebhook webhook) =>
        webhook.Url is null ? None : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(webhook.Url.AbsoluteUri)));
}
