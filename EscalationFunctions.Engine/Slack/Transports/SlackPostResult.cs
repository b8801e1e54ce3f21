namespace EscalationFunctions.Engine.Slack.Transports;

/// <summary>
/// What one post came to. <see cref="Error"/> never contains the webhook URL or the token.
/// <see cref="Ts"/> is the posted message's id in its channel (app mode), exactly as Slack returned it.
/// </summary>
public sealed record SlackPostResult(SlackPostStatus Status, string? Error = null, TimeSpan? RetryAfter = null, string? Ts = null)
{
    public static SlackPostResult Delivered { get; } = new(SlackPostStatus.Delivered);
}
