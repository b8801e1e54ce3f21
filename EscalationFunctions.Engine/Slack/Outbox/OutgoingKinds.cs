namespace EscalationFunctions.Engine.Slack.Outbox;

/// <summary>The kinds as <c>notification_outbox.kind</c> stores them.</summary>
public static class OutgoingKinds
{
    public const string Page = "page";
    public const string ClickAnswer = "click_answer";
    public const string MessageUpdate = "message_update";

    public static OutgoingKind Parse(string stored) => stored switch
    {
        Page => OutgoingKind.Page,
        ClickAnswer => OutgoingKind.ClickAnswer,
        MessageUpdate => OutgoingKind.MessageUpdate,
        _ => throw new InvalidOperationException($"Unknown outbox kind '{stored}'."),
    };
}
