using EscalationFunctions.Testing;

namespace EscalationFunctions.Tests.Endpoints;

/// <summary>
/// A click's <c>payload</c> JSON as text, so that it can hold what no JSON library writes: repeated
/// property names, lone surrogate escapes such as <c>"\ud800"</c>, values of the wrong type. It starts
/// as <see cref="SlackClick.Payload"/> and each field the route needs (and the clicked message) is a
/// slot holding raw JSON text; <see cref="Omitted"/> leaves the property out.
/// </summary>
public sealed class ClickPayload
{
    public const string Omitted = "<omitted>";

    // Placeholders SlackClick.Payload writes as they are (plain ASCII, nothing a JSON encoder escapes).
    private const string ValueMark = "FUZZ-VALUE";
    private const string UserMark = "FUZZ-USER";
    private const string ActionMark = "FUZZ-ACTION";
    private const string MessageMark = "FUZZ-MESSAGE";
    private static readonly Uri ResponseUrlMark = new("http://fuzz.invalid/FUZZ-RESPONSE-URL");

    public ClickPayload(string incidentKey, Uri responseUrl, string userId = SlackClick.UserId)
    {
        Value = HostileKeys.Json(incidentKey);
        ResponseUrl = HostileKeys.Json(responseUrl.AbsoluteUri);
        UserId = HostileKeys.Json(userId);
    }

    public string Type { get; set; } = "\"block_actions\"";
    public string UserId { get; set; }

    /// <summary>The whole value of <c>user</c>, replacing the object that holds <see cref="UserId"/>.</summary>
    public string? User { get; set; }

    public string ActionId { get; set; } = "\"ack\"";
    public string Value { get; set; }

    /// <summary>The whole value of <c>actions</c>, replacing the array that holds <see cref="ActionId"/> and <see cref="Value"/>.</summary>
    public string? Actions { get; set; }

    public string ResponseUrl { get; set; }

    /// <summary>The clicked message; null for none.</summary>
    public string? Message { get; set; }

    /// <summary>Raw text put right after the opening brace (extra top-level properties, each followed by a comma).</summary>
    public string Prefix { get; set; } = "";

    public string Text()
    {
        var text = SlackClick.Payload(ValueMark, ResponseUrlMark, UserMark, ActionMark, $"\"{MessageMark}\"");
        text = "{" + Prefix + text[1..];
        text = Slot(text, "\"type\":\"block_actions\"", "type", Type);
        text = User is null ? Slot(text, $"\"id\":\"{UserMark}\"", "id", UserId) : Slot(text, Between(text, "\"user\":{", "}"), "user", User);
        text = Slot(text, $"\"response_url\":\"{ResponseUrlMark.AbsoluteUri}\"", "response_url", ResponseUrl);
        if (Actions is null)
        {
            text = Slot(text, $"\"action_id\":\"{ActionMark}\"", "action_id", ActionId);
            text = Slot(text, $"\"value\":\"{ValueMark}\"", "value", Value);
        }
        else
        {
            text = Slot(text, Between(text, "\"actions\":[", "}]"), "actions", Actions);
        }
        return Slot(text, $"\"message\":\"{MessageMark}\"", "message", Message ?? Omitted);
    }

    /// <summary>The substring from <paramref name="start"/> to the first <paramref name="end"/> after it, both included.</summary>
    private static string Between(string text, string start, string end)
    {
        var from = text.IndexOf(start, StringComparison.Ordinal);
        var to = text.IndexOf(end, from + start.Length, StringComparison.Ordinal);
        return text[from..(to + end.Length)];
    }

    /// <summary>Replaces the property <paramref name="property"/> (exact text) with <c>"name":raw</c>, or removes it with its comma.</summary>
    private static string Slot(string text, string property, string name, string raw)
    {
        var at = text.IndexOf(property, StringComparison.Ordinal);
        if (at < 0)
        {
            throw new InvalidOperationException($"'{property}' is not in the payload {text}");
        }
        if (raw != Omitted)
        {
            return string.Concat(text.AsSpan(0, at), $"\"{name}\":{raw}", text.AsSpan(at + property.Length));
        }
        var end = at + property.Length;
        return text[at - 1] == ','
            ? text.Remove(at - 1, end - at + 1)
            : text.Remove(at, end - at + (end < text.Length && text[end] == ',' ? 1 : 0));
    }
}
