using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Engine.Slack.Messages;
using EscalationFunctions.Engine.Slack.Outbox;
using EscalationFunctions.Engine.Untrusted;
using Microsoft.Extensions.Logging;

namespace EscalationFunctions.Engine.Slack.Transports;

/// <summary>
/// <c>SLACK_DELIVERY=console</c>: writes each message to the log instead of Slack, so a local run
/// shows its escalations without a Slack workspace: its buttons (Acknowledge when
/// <c>SLACK_SIGNING_SECRET</c> is set) and the command that acknowledges it locally. Every message
/// counts as delivered. The log category is the short <see cref="Category"/>, not this type's
/// 62-character name, so a line reads like the message it stands for. What other systems wrote
/// (key, title, route, severity) is escaped and cut, so each message is one line (reference §6.1).
/// </summary>
public sealed class SlackConsoleTransport(EscalationSettings settings, ConsoleAckCommand ackCommand, ILoggerFactory loggers) : ISlackTransport
{
    public const string Category = "Slack";

    private readonly ILogger _logger = loggers.CreateLogger(Category);

    public bool IsRateLimited => false;

    // What one line shows of each field another system wrote (reference §6.1): with the rest, well under 2,000 characters.
    private const int MaxTitle = 300;
    private const int MaxRouteOrSeverity = 100;
    private const int MaxUrl = 500;
    private const int MaxCommand = 400;

    private long _lastTs;

    public Task<SlackPostResult> PostAsync(PlannedLane lane, SlackMessage message, CancellationToken ct)
    {
        if (message.App is { } target)
        {
            return Task.FromResult(PrintAppCall(message, target));
        }
        var buttons = message.Json.Contains("\"action_id\":\"ack\"", StringComparison.Ordinal) ? "[Acknowledge] [Open incident]" : "[Open incident]";
        foreach (var n in message.Members)
        {
            TransportsLog.ConsolePage(_logger,
                UntrustedText.Escape(n.Route, MaxRouteOrSeverity), n.Level,
                string.IsNullOrWhiteSpace(n.Title) ? UntrustedText.Escape(n.IncidentKey) : UntrustedText.Escape(n.Title, MaxTitle),
                UntrustedText.Escape(n.Severity, MaxRouteOrSeverity),
                UntrustedText.Escape(IncidentLink.For(settings.Slack.AppBaseUrl, n.IncidentKey), MaxUrl),
                n.DedupKey, buttons, PrintableAckCommand(n.IncidentKey));
        }
        return Task.FromResult(SlackPostResult.Delivered);
    }

    /// <summary>
    /// App mode's rehearsal (reference §10, no token): each call the Web API would get, one line: a post
    /// (in its incident's thread or not) with a made-up ts that later replies and rewrites refer to,
    /// or a rewrite with what it now says.
    /// </summary>
    private SlackPostResult PrintAppCall(SlackMessage message, SlackAppTarget target)
    {
        if (target.IsUpdate)
        {
            TransportsLog.ConsoleUpdate(_logger, target.Channel, target.UpdateTs, TextOf(message));
            return SlackPostResult.Delivered with { Ts = target.UpdateTs };
        }
        var ts = NextTs();
        if (target.ThreadTs is { } thread)
        {
            TransportsLog.ConsoleThreadReply(_logger, target.Channel, ts, thread, TextOf(message));
        }
        else
        {
            TransportsLog.ConsolePost(_logger, target.Channel, ts, TextOf(message));
        }
        if (!message.IsDigest && !message.IsRewrite)
        {
            TransportsLog.ConsoleAckCommand(_logger, PrintableAckCommand(message.Members[0].IncidentKey));
        }
        return SlackPostResult.Delivered with { Ts = ts };
    }

    /// <summary>The message's notification text, escaped and cut to one line (it quotes other systems' text).</summary>
    private static string TextOf(SlackMessage message)
    {
        using var json = System.Text.Json.JsonDocument.Parse(message.Json);
        return UntrustedText.Escape(json.RootElement.GetProperty("text").GetString(), MaxTitle + MaxCommand);
    }

    /// <summary>A ts like Slack's (seconds.micro), unique and increasing in this process.</summary>
    private string NextTs()
    {
        var micros = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000;
        long last, next;
        do
        {
            last = Interlocked.Read(ref _lastTs);
            next = Math.Max(micros, last + 1);
        }
        while (Interlocked.CompareExchange(ref _lastTs, next, last) != last);
        return $"{next / 1_000_000}.{next % 1_000_000:D6}";
    }

    /// <summary>
    /// The command when it can be printed as it is; else why not, with the key as far as it can be
    /// shown. A key with control characters printed escaped would make a command that acknowledges
    /// another key, and a cut one none.
    /// </summary>
    private string PrintableAckCommand(string incidentKey)
    {
        if (ackCommand.For(incidentKey) is not { } command)
        {
            return "no command (the host names none)";
        }
        var shown = UntrustedText.Escape(incidentKey);
        return shown == incidentKey && command.Length <= MaxCommand
            ? command
            : $"no command printed for key {shown} ({incidentKey.Length} characters): it is too long or holds control characters";
    }
}
