using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using EscalationFunctions.Engine.Untrusted;

namespace EscalationFunctions.Engine.Slack.Clicks;

/// <summary>
/// One click in Slack, read from the interaction request's form field <c>payload</c> (reference §9): a
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

        if (!UntrustedJson.TryParse(payload, out var document))
        {
            problem = "the form field 'payload' is not JSON";
            return false;
        }
        using (document)
        {
            return TryRead(document.RootElement, out interaction, out problem);
        }
    }

    /// <summary>
    /// The fields a click needs, each once, of its type and valid text, else a reason; the clicked
    /// <c>message</c> is kept as it came (or dropped when it is not an object): it is not needed to
    /// acknowledge, so nothing in it can stop the click.
    /// </summary>
    private static bool TryRead(JsonElement root, out SlackInteraction interaction, out string problem)
    {
        interaction = null!;
        if (Need(UntrustedJson.ReadString(root, "type", out var type), "type", out problem))
        {
            return false;
        }
        if (type != "block_actions")
        {
            problem = "the payload's type must be 'block_actions'";
            return false;
        }
        if (Need(UntrustedJson.ReadChild(root, "user", JsonValueKind.Object, out var user), "user", out problem) ||
            Need(UntrustedJson.ReadString(user, "id", out var userId), "user.id", out problem))
        {
            return false;
        }
        if (!UserIdSyntax().IsMatch(userId))
        {
            problem = "the payload needs user.id, a Slack user ID such as 'U024BE7LH'";
            return false;
        }
        if (Need(UntrustedJson.ReadChild(root, "actions", JsonValueKind.Array, out var actions), "actions", out problem))
        {
            return false;
        }
        if (actions.GetArrayLength() == 0 || actions[0].ValueKind != JsonValueKind.Object)
        {
            problem = "the payload needs a non-empty 'actions' array of objects";
            return false;
        }
        var action = actions[0];
        if (Need(UntrustedJson.ReadString(action, "action_id", out var actionId), "actions[0].action_id", out problem))
        {
            return false;
        }
        if (actionId.Length == 0)
        {
            problem = "the payload's actions[0].action_id is empty";
            return false;
        }

        string? value = null, responseUrl = null;
        if (actionId == AcknowledgeAction)
        {
            if (Need(UntrustedJson.ReadString(action, "value", out var key), "actions[0].value", out problem) ||
                Need(UntrustedJson.ReadString(root, "response_url", out var url), "response_url", out problem))
            {
                return false;
            }
            if (!Acknowledge.IncidentKeyText.CanExist(key) || url.Length == 0)
            {
                problem = "an 'ack' action needs the incident key in actions[0].value (text without NUL) and a response_url";
                return false;
            }
            (value, responseUrl) = (key, url);
        }
        var message = UntrustedJson.ReadChild(root, "message", JsonValueKind.Object, out var m) == JsonFieldProblem.None ? m.Clone() : (JsonElement?)null;
        interaction = new SlackInteraction(userId, UntrustedJson.OptionalString(user, "username"), actionId, value,
            UntrustedJson.OptionalString(action, "block_id"), responseUrl, message);
        return true;
    }

    private static bool Need(JsonFieldProblem found, string field, out string problem)
    {
        problem = found == JsonFieldProblem.None ? "" : $"the payload's {UntrustedJson.Describe(found, field)}";
        return found != JsonFieldProblem.None;
    }

    /// <summary>
    /// The body must be <c>application/x-www-form-urlencoded</c> UTF-8 with exactly one <c>payload</c>
    /// field, decoded strictly: an escape that is not UTF-8 is refused rather than read as U+FFFD,
    /// which could name another incident.
    /// </summary>
    private static bool TryReadPayloadField(ReadOnlySpan<byte> body, out string payload, out string problem)
    {
        payload = "";
        problem = "expected a form body (application/x-www-form-urlencoded, UTF-8) with one field 'payload' holding Slack's JSON";
        if (!System.Text.Ascii.IsValid(body))
        {
            return false;
        }
        var form = System.Text.Encoding.ASCII.GetString(body);
        string? found = null;
        foreach (var pair in form.Split('&'))
        {
            var eq = pair.IndexOf('=');
            var name = eq < 0 ? pair : pair[..eq];
            if (name != "payload")
            {
                continue;
            }
            if (found is not null || eq < 0 || !PercentEncoding.TryDecodeUtf8(pair.AsSpan(eq + 1), plusIsSpace: true, out var value))
            {
                return false;
            }
            found = value;
        }
        if (string.IsNullOrWhiteSpace(found))
        {
            return false;
        }
        payload = found;
        return true;
    }

    [GeneratedRegex(@"^[UW][A-Z0-9]{2,30}\z", RegexOptions.CultureInvariant)]
    private static partial Regex UserIdSyntax();
}
