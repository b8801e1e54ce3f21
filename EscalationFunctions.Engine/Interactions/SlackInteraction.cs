using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace EscalationFunctions.Engine.Interactions;

/// <summary>
/// One click in Slack, read from the interaction request's form field <c>payload</c> (spec §9): a
/// <c>block_actions</c> payload with <c>user.id</c>, <c>user.username</c>, <c>actions[0]</c>
/// (<c>action_id</c>, <c>value</c>, <c>block_id</c>), <c>response_url</c> and the clicked
/// <c>message</c> (kept to mark it acknowledged). Anything else does not parse, with a reason.
/// </summary>
public sealed partial record SlackInteraction(
    string UserId,
    string? UserName,
    string ActionId,
    string? Value,
    string? BlockId,
    string? ResponseUrl,
    JsonElement? Message)
{
    /// <summary>The Acknowledge button's <c>action_id</c>.</summary>
    public const string AcknowledgeAction = "ack";

    public bool IsAcknowledge => ActionId == AcknowledgeAction;

    public static bool TryParse(ReadOnlySpan<byte> body, out SlackInteraction interaction, out string problem)
    {
        interaction = null!;
        if (!TryReadPayloadField(body, out var payload, out problem))
        {
            return false;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(payload, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException)
        {
            problem = "the form field 'payload' is not JSON";
            return false;
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || Text(root, "type") != "block_actions")
            {
                problem = "the payload's type must be 'block_actions'";
                return false;
            }
            var user = Child(root, "user");
            var userId = user is { } u ? Text(u, "id") : null;
            if (userId is null || !UserIdSyntax().IsMatch(userId))
            {
                problem = "the payload needs user.id, a Slack user ID such as 'U024BE7LH'";
                return false;
            }
            var actions = Child(root, "actions");
            if (actions is not { ValueKind: JsonValueKind.Array } list || list.GetArrayLength() == 0 || list[0].ValueKind != JsonValueKind.Object)
            {
                problem = "the payload needs a non-empty 'actions' array";
                return false;
            }
            var action = list[0];
            var actionId = Text(action, "action_id");
            if (string.IsNullOrEmpty(actionId))
            {
                problem = "the payload's actions[0] needs an action_id";
                return false;
            }
            var value = Text(action, "value");
            if (actionId == AcknowledgeAction && !Acknowledge.IncidentKeyText.CanExist(value))
            {
                problem = "an 'ack' action needs the incident key in actions[0].value (text without NUL or lone surrogates)";
                return false;
            }
            var responseUrl = Text(root, "response_url");
            if (actionId == AcknowledgeAction && string.IsNullOrEmpty(responseUrl))
            {
                problem = "the payload needs a response_url";
                return false;
            }
            var message = Child(root, "message") is { ValueKind: JsonValueKind.Object } m ? m.Clone() : (JsonElement?)null;
            interaction = new SlackInteraction(userId, user is { } named ? Text(named, "username") : null, actionId, value,
                Text(action, "block_id"), responseUrl, message);
            return true;
        }
    }

    /// <summary>The body must be <c>application/x-www-form-urlencoded</c> UTF-8 with exactly one <c>payload</c> field.</summary>
    private static bool TryReadPayloadField(ReadOnlySpan<byte> body, out string payload, out string problem)
    {
        payload = "";
        problem = "expected a form body (application/x-www-form-urlencoded) with one field 'payload' holding Slack's JSON";
        string form;
        try
        {
            form = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(body);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
        string? found = null;
        foreach (var pair in form.Split('&'))
        {
            var eq = pair.IndexOf('=');
            var name = eq < 0 ? pair : pair[..eq];
            if (name != "payload")
            {
                continue;
            }
            if (found is not null || eq < 0)
            {
                return false;
            }
            found = WebUtility.UrlDecode(pair[(eq + 1)..]);
        }
        if (string.IsNullOrWhiteSpace(found))
        {
            return false;
        }
        payload = found;
        return true;
    }

    private static JsonElement? Child(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var child) ? child : null;

    private static string? Text(JsonElement parent, string name) =>
        Child(parent, name) is { ValueKind: JsonValueKind.String } s ? s.GetString() : null;

    [GeneratedRegex(@"^[UW][A-Z0-9]{2,30}\z", RegexOptions.CultureInvariant)]
    private static partial Regex UserIdSyntax();
}
