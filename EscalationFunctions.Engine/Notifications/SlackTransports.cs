namespace EscalationFunctions.Engine.Notifications;

/// <summary>
/// Which transport posts a kind of outgoing message: pages go the way <c>SLACK_DELIVERY</c> says
/// (webhook or console), click answers always to their response_url.
/// </summary>
public sealed class SlackTransports(ISlackTransport pages, SlackResponseUrlTransport clickAnswers)
{
    public ISlackTransport For(OutgoingKind kind) => kind == OutgoingKind.ClickAnswer ? clickAnswers : pages;
}
