using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using EscalationFunctions.Engine.Acknowledge;
using EscalationFunctions.Engine.Slack.Clicks;
using EscalationFunctions.Engine.Untrusted;

namespace EscalationFunctions.Engine.Slack.Messages;

/// <summary>
/// What the worker posts to a click's <c>response_url</c> (reference §9). After an acknowledgement: the
/// clicked message again (<c>replace_original</c>), its Acknowledge button for that incident removed
/// and the message marked "Acknowledged by &lt;@U…&gt;" (or "already acknowledged by …"); in a digest
/// only the clicked entry changes. An unknown incident gets an ephemeral note to the clicker only.
/// </summary>
public static partial class SlackReplyBuilder
{
    public static string Acknowledged(SlackInteraction click, Acknowledgement ack)
    {
        var mark = ack.AlreadyAcknowledged
            ? $":information_source: Already acknowledged by {Who(ack.AcknowledgedBy)}"
            : $":white_check_mark: Acknowledged by <@{click.UserId}>";
        var blocks = TryMarkedBlocks(click, ack.IncidentKey, mark) ?? new JsonArray
        {
            Node(BlockKit.Section($"{mark}\n*Incident* `{SlackText.Mrkdwn(ack.IncidentKey, 1000)}` · level {ack.Level} · " +
                                  $"{SlackText.Mrkdwn(ack.Severity, 100)} · route {SlackText.Mrkdwn(ack.Route, 100)}\n" +
                                  SlackText.Mrkdwn(string.IsNullOrWhiteSpace(ack.Title) ? ack.IncidentKey : ack.Title, 500))),
        };
        var original = click.Message is { } m ? UntrustedJson.OptionalString(m, "text") : null;
        var reply = new JsonObject
        {
            ["replace_original"] = true,
            ["text"] = SlackText.Cut(string.IsNullOrEmpty(original) ? mark : $"{mark}: {original}", BlockKit.MaxMessageText),
            ["blocks"] = blocks,
        };
        return reply.ToJsonString();
    }

    public static string UnknownIncident(SlackInteraction click) => new JsonObject
    {
        ["response_type"] = "ephemeral",
        ["replace_original"] = false,
        ["text"] = SlackText.Cut(
            $"The escalation worker knows no incident `{SlackText.Mrkdwn(click.Value, 1000)}`, so nothing was acknowledged. " +
            "It may have been deleted; check the incident in its own system.", BlockKit.MaxMessageText),
    }.ToJsonString();

    /// <summary>How an acknowledger is named in Slack: a Slack user as a mention, anyone else as plain text.</summary>
    public static string Who(string? acknowledgedBy)
    {
        if (string.IsNullOrEmpty(acknowledgedBy))
        {
            return "another system";
        }
        if (acknowledgedBy.StartsWith(IncidentAcknowledger.SlackPrefix, StringComparison.Ordinal) &&
            SlackUserId().IsMatch(acknowledgedBy[IncidentAcknowledger.SlackPrefix.Length..]))
        {
            return $"<@{acknowledgedBy[IncidentAcknowledger.SlackPrefix.Length..]}>";
        }
        return SlackText.Mrkdwn(acknowledgedBy, 200);
    }

    /// <summary>
    /// The clicked message's blocks with this incident's Acknowledge button taken out and the mark put
    /// where it was; null when the payload carried no message or no such button, or when the message
    /// cannot be rebuilt: it is whatever Slack (or anyone with the signing secret) sent, and it must
    /// never stop the acknowledgement it came with (a repeated name, text that is not valid Unicode).
    /// </summary>
    private static JsonArray? TryMarkedBlocks(SlackInteraction click, string incidentKey, string mark)
    {
        try
        {
            var blocks = MarkedBlocks(click, incidentKey, mark);
            _ = blocks?.ToJsonString(); // writing is where text that is not valid Unicode shows; better here than in the caller
            return blocks;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException or FormatException)
        {
            return null;
        }
    }

    private static JsonArray? MarkedBlocks(SlackInteraction click, string incidentKey, string mark)
    {
        if (click.Message is not { } message || !message.TryGetProperty("blocks", out var raw) || raw.ValueKind != JsonValueKind.Array)
        {
            return null;
        }
        var blocks = JsonNode.Parse(raw.GetRawText())!.AsArray();
        var marked = false;
        var result = new JsonArray();
        foreach (var block in blocks.ToList())
        {
            blocks.Remove(block);
            if (block is not JsonObject b)
            {
                continue;
            }
            if (b["accessory"] is JsonObject accessory && IsAckFor(accessory, incidentKey))
            {
                b.Remove("accessory");
                if (b["text"] is JsonObject text && Text(text["text"]) is { } shown)
                {
                    text["type"] = "mrkdwn";
                    text["text"] = SlackText.Cut($"{shown}\n{mark}", BlockKit.MaxSectionText);
                }
                marked = true;
                result.Add(b);
                continue;
            }
            if (Text(b["type"]) == "actions" && b["elements"] is JsonArray elements && elements.OfType<JsonObject>().Any(e => IsAckFor(e, incidentKey)))
            {
                foreach (var ackButton in elements.OfType<JsonObject>().Where(e => IsAckFor(e, incidentKey)).ToList())
                {
                    elements.Remove(ackButton);
                }
                if (elements.Count > 0)
                {
                    result.Add(b);
                }
                result.Add(Node(BlockKit.Context(mark)));
                marked = true;
                continue;
            }
            result.Add(b);
        }
        return marked && result.Count <= BlockKit.MaxBlocks ? result : null;
    }

    private static bool IsAckFor(JsonObject element, string incidentKey) =>
        Text(element["type"]) == "button" && Text(element["action_id"]) == SlackInteraction.AcknowledgeAction && Text(element["value"]) == incidentKey;

    /// <summary>A node's text when it is a string; null for any other kind (a number where a type belongs, an object).</summary>
    private static string? Text(JsonNode? node) => node?.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : null;

    private static JsonNode Node(object block) => JsonSerializer.SerializeToNode(block)!;

    [GeneratedRegex(@"^[UW][A-Z0-9]{2,30}\z", RegexOptions.CultureInvariant)]
    private static partial Regex SlackUserId();
}
