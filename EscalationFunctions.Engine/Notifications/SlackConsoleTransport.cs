using EscalationFunctions.Engine.Configuration;
using Microsoft.Extensions.Logging;

namespace EscalationFunctions.Engine.Notifications;

/// <summary>
/// <c>SLACK_DELIVERY=console</c>: writes each message to the log instead of Slack, so a local run
/// shows its escalations without a Slack workspace: its buttons (Acknowledge when
/// <c>SLACK_SIGNING_SECRET</c> is set) and the command that acknowledges it locally. Every message
/// counts as delivered. The log category is the short <see cref="Category"/>, not this type's
/// 62-character name, so a line reads like the message it stands for.
/// </summary>
public sealed class SlackConsoleTransport(EscalationSettings settings, ILoggerFactory loggers) : ISlackTransport
{
    public const string Category = "Slack";

    private readonly ILogger _logger = loggers.CreateLogger(Category);

    public bool IsRateLimited => false;

    public Task<SlackPostResult> PostAsync(SlackWebhook webhook, SlackMessage message, CancellationToken ct)
    {
        var buttons = message.Json.Contains("\"action_id\":\"ack\"", StringComparison.Ordinal) ? "[Acknowledge] [Open incident]" : "[Open incident]";
        foreach (var n in message.Members)
        {
            _logger.LogInformation(
                "#{Route}: level {Level}: {Title} ({Severity}) {Url} dedup_key={DedupKey} buttons: {Buttons} acknowledge: {AckCommand}",
                n.Route, n.Level, string.IsNullOrWhiteSpace(n.Title) ? n.IncidentKey : n.Title, n.Severity,
                SlackMessageBuilder.IncidentUrl(settings.Slack.AppBaseUrl, n.IncidentKey), n.DedupKey, buttons, AckCommand(n.IncidentKey));
        }
        return Task.FromResult(SlackPostResult.Delivered);
    }

    /// <summary>The local ops call that acknowledges the incident, with the key quoted for a POSIX shell.</summary>
    internal static string AckCommand(string incidentKey) => $"./scripts/ops-call.sh ack '{incidentKey.Replace("'", "'\\''", StringComparison.Ordinal)}'";
}
