using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Engine.Slack.Messages;
using EscalationFunctions.Engine.Slack.Outbox;
using EscalationFunctions.Engine.Untrusted;

namespace EscalationFunctions.Engine.Slack.Transports;

/// <summary>
/// Posts click answers to their <c>response_url</c> (reference §9), whatever <c>SLACK_DELIVERY</c> says:
/// the URL came in a real click. Only to hosts in <c>SLACK_RESPONSE_URL_HOSTS</c> (any other is a
/// refusal, so the answer is dead at once with the reason), then by the webhook's HTTP rules
/// (<see cref="SlackWebhookTransport"/>: redirects never followed, the outcomes of reference §5.3).
/// </summary>
public sealed class SlackResponseUrlTransport(SlackWebhookTransport http, EscalationSettings settings) : ISlackTransport
{
    /// <summary>A response_url takes one answer: there is no pace to keep.</summary>
    public bool IsRateLimited => false;

    public Task<SlackPostResult> PostAsync(PlannedLane lane, SlackMessage message, CancellationToken ct)
    {
        var destination = lane.Webhook;
        var url = settings.Slack.ResponseUrlHosts.Allow(destination.Url?.OriginalString, out var refusal);
        return url is null
            ? Task.FromResult(new SlackPostResult(SlackPostStatus.Refused, UntrustedText.Escape(refusal))) // it quotes the click's host and scheme
            : http.PostAsync(destination with { Url = url }, message, ct);
    }
}
