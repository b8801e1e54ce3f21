namespace EscalationFunctions.Engine.Slack.Messages;

/// <summary>
/// Where an app-mode message goes (reference §10.2, §10.4): a new message in <see cref="Channel"/> (a reply
/// in <see cref="ThreadTs"/> when set, shown in the channel too), or the rewrite of the posted message
/// <see cref="UpdateTs"/> (<see cref="SlackMessageId"/> in <c>slack_messages</c>).
/// </summary>
public sealed record SlackAppTarget(string Channel, string? ThreadTs = null, string? UpdateTs = null, long? SlackMessageId = null)
{
    public bool IsUpdate => UpdateTs is not null;
}
