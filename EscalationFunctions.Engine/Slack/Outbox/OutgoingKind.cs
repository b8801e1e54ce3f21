namespace EscalationFunctions.Engine.Slack.Outbox;

/// <summary>
/// What a row of the one outgoing queue (<c>notification_outbox.kind</c>, reference §5.7) is. Every kind
/// has the same lifecycle, lease, outcome rules and sender; they differ in where they go and when
/// their JSON is made.
/// </summary>
public enum OutgoingKind
{
    /// <summary><c>page</c>: an escalation, posted to its route's webhook, alone or in a digest; composed when posted.</summary>
    Page,

    /// <summary><c>click_answer</c>: the answer to a Slack click (reference §9), prepared when the click was answered and posted to its <c>response_url</c>.</summary>
    ClickAnswer,

    /// <summary>
    /// <c>message_update</c>: app mode's rewrite of a posted message (reference §10.4, <c>chat.update</c>) after
    /// one of its incidents was acknowledged or resolved; composed when posted, from the message's row
    /// in <c>slack_messages</c> and its incidents' states. Goes to its channel's lane, after its pages.
    /// </summary>
    MessageUpdate,
}
