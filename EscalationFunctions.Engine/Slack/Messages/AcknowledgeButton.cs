using EscalationFunctions.Engine.Slack.Clicks;

namespace EscalationFunctions.Engine.Slack.Messages;

/// <summary>
/// The Acknowledge button of reference §9 (<c>action_id</c> <c>ack</c>, <c>value</c> the incident key),
/// which messages carry when <c>SLACK_SIGNING_SECRET</c> is set.
/// </summary>
internal static class AcknowledgeButton
{
    public const string Label = "Acknowledge";

    /// <summary>The button, or null for a key longer than a button value may be (2,000 characters).</summary>
    public static object? For(string incidentKey) => BlockKit.ActionButton(SlackInteraction.AcknowledgeAction, Label, incidentKey);

    /// <summary>Shown instead of the button for such a key; the key itself is in the message.</summary>
    public const string KeyTooLong =
        "No Acknowledge button: this incident's key is longer than a Slack button can carry (2,000 characters); " +
        "acknowledge it with POST /ops/incidents/{key}/ack.";
}
