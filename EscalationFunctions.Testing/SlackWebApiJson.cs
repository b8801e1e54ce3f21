using System.Text.Json;
using System.Text.Json.Nodes;

namespace EscalationFunctions.Testing;

/// <summary>Reading request bodies and writing answers the way Slack's Web API shapes them.</summary>
internal static class SlackWebApiJson
{
    public const string ContentType = "application/json; charset=utf-8";

    /// <summary>The body's root when it is a JSON object; null for anything else (not JSON, an array, a string).</summary>
    public static JsonElement? TryParseObject(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.Clone() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The property when present and not JSON null.</summary>
    public static JsonElement? Property(JsonElement body, string name) =>
        body.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    /// <summary>The property when it is a JSON string.</summary>
    public static string? StringProperty(JsonElement body, string name) =>
        Property(body, name) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

    /// <summary><c>metadata.event_payload.dedup_keys</c> (a digest), else <c>dedup_key</c> (one escalation); empty if neither.</summary>
    public static IReadOnlyList<string> DedupKeys(JsonElement metadata)
    {
        if (metadata.ValueKind != JsonValueKind.Object || Property(metadata, "event_payload") is not { ValueKind: JsonValueKind.Object } payload)
        {
            return [];
        }
        if (Property(payload, "dedup_keys") is { ValueKind: JsonValueKind.Array } keys)
        {
            return keys.EnumerateArray().Where(k => k.ValueKind == JsonValueKind.String).Select(k => k.GetString()!).ToList();
        }
        return StringProperty(payload, "dedup_key") is { } key ? [key] : [];
    }

    public static string Error(string code) => new JsonObject { ["ok"] = false, ["error"] = code }.ToJsonString();

    /// <summary>What chat.postMessage and chat.update answer on success: the channel, the ts, and the message as stored.</summary>
    public static string Success(ChannelMessage message, bool withText)
    {
        var answer = new JsonObject { ["ok"] = true, ["channel"] = message.Channel, ["ts"] = message.Ts };
        if (withText)
        {
            answer["text"] = message.Text;
        }
        answer["message"] = MessageObject(message);
        return answer.ToJsonString();
    }

    private static JsonObject MessageObject(ChannelMessage message)
    {
        var json = new JsonObject
        {
            ["type"] = "message",
            ["user"] = SlackWebApiStandIn.BotUserId,
            ["bot_id"] = SlackWebApiStandIn.BotId,
            ["text"] = message.Text,
            ["ts"] = message.Ts,
        };
        if (message.ThreadTs is not null)
        {
            json["thread_ts"] = message.ThreadTs;
        }
        if (message.ReplyBroadcast)
        {
            json["subtype"] = "thread_broadcast";
        }
        json["blocks"] = JsonNode.Parse(message.BlocksJson);
        if (message.MetadataJson is not null)
        {
            json["metadata"] = JsonNode.Parse(message.MetadataJson);
        }
        return json;
    }
}

/// <summary>
/// The <c>text</c>, <c>blocks</c> and <c>metadata</c> of a chat.postMessage or chat.update, checked
/// as Slack checks them. A field that is absent (or JSON null) is null here.
/// </summary>
internal sealed record MessageContent(string? Text, string? BlocksJson, string? MetadataJson, IReadOnlyList<string> DedupKeys)
{
    public const int MaxBlocks = 50;
    public const int MaxTextLength = 40_000;

    /// <summary>Reads the fields; returns Slack's error code when they would be refused, else null.</summary>
    public static string? TryRead(JsonElement body, out MessageContent content)
    {
        content = new MessageContent(null, null, null, []);

        var text = SlackWebApiJson.Property(body, "text");
        if (text is { } t && t.ValueKind != JsonValueKind.String)
        {
            return "invalid_arguments";
        }

        var blocks = SlackWebApiJson.Property(body, "blocks");
        if (blocks is { } b && !AreBlocks(b))
        {
            return "invalid_blocks";
        }

        var textValue = text?.GetString();
        var hasBlocks = blocks is { } given && given.GetArrayLength() > 0;
        if (string.IsNullOrEmpty(textValue) && !hasBlocks)
        {
            return "no_text";
        }
        if (textValue is { Length: > MaxTextLength })
        {
            return "msg_too_long";
        }

        var metadata = SlackWebApiJson.Property(body, "metadata");
        if (metadata is { } m && !IsMetadata(m))
        {
            return "invalid_metadata_format";
        }

        content = new MessageContent(textValue, blocks?.GetRawText(), metadata?.GetRawText(),
            metadata is { } md ? SlackWebApiJson.DedupKeys(md) : []);
        return null;
    }

    /// <summary>An array of at most <see cref="MaxBlocks"/> objects, each with a string <c>type</c>.</summary>
    private static bool AreBlocks(JsonElement blocks) =>
        blocks.ValueKind == JsonValueKind.Array
        && blocks.GetArrayLength() <= MaxBlocks
        && blocks.EnumerateArray().All(block => block.ValueKind == JsonValueKind.Object
            && SlackWebApiJson.StringProperty(block, "type") is { Length: > 0 });

    /// <summary>Slack's message metadata: a string <c>event_type</c> and an object <c>event_payload</c>.</summary>
    private static bool IsMetadata(JsonElement metadata) =>
        metadata.ValueKind == JsonValueKind.Object
        && SlackWebApiJson.StringProperty(metadata, "event_type") is { Length: > 0 }
        && SlackWebApiJson.Property(metadata, "event_payload") is { ValueKind: JsonValueKind.Object };
}
