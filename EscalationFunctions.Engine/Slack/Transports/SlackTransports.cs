using EscalationFunctions.Engine.Slack.Outbox;

namespace EscalationFunctions.Engine.Slack.Transports;

/// <summary>
/// Which transport posts a lane's messages: click answers always to their response_url; in app mode
/// every other lane is a channel's, through <paramref name="app"/> (the Web API, or the console in a rehearsal, reference §10);
/// otherwise pages the way <c>SLACK_DELIVERY</c> says (webhook or console).
/// </summary>
public sealed class SlackTransports(ISlackTransport pages, SlackResponseUrlTransport clickAnswers, ISlackTransport? app = null)
{
    public ISlackTransport For(PlannedLane lane) =>
        lane.Kind == OutgoingKind.ClickAnswer ? clickAnswers
        : app is not null ? app
        : pages;
}
