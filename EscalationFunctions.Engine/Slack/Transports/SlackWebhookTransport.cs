using System.Net;
using System.Net.Http.Headers;
using System.Text;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Engine.Slack.Messages;
using EscalationFunctions.Engine.Slack.Outbox;
using EscalationFunctions.Engine.Untrusted;

namespace EscalationFunctions.Engine.Slack.Transports;

/// <summary>
/// POSTs the message to a Slack incoming webhook, with the dedup key in <c>X-Dedup-Key</c>, and sorts
/// the answer per reference §5.3. The client must not follow redirects (<see cref="CreateHandler"/>): a
/// 3xx is a refusal, so the body never goes to another address.
/// </summary>
public sealed class SlackWebhookTransport(HttpClient http, EscalationSettings settings, TimeProvider time) : ISlackTransport
{
    public const string DedupHeader = "X-Dedup-Key";

    // Enough of Slack's answer ("invalid_payload", "no_service", ...) to say why; a webhook's error page is cut.
    private const int MaxReasonChars = 200;

    // A reason phrase is a few words ("Not Found"); whatever a proxy in between sends is cut.
    private const int MaxReasonPhraseChars = 100;

    public bool IsRateLimited => true;

    /// <summary>The handler for the webhook client: pooled connections rotated so DNS changes are seen, redirects never followed.</summary>
    public static SocketsHttpHandler CreateHandler() => new()
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        AllowAutoRedirect = false,
    };

    public Task<SlackPostResult> PostAsync(PlannedLane lane, SlackMessage message, CancellationToken ct) => PostAsync(lane.Webhook, message, ct);

    /// <summary>Posts to <paramref name="webhook"/> (a route's webhook, or a click's response_url already checked).</summary>
    public async Task<SlackPostResult> PostAsync(SlackWebhook webhook, SlackMessage message, CancellationToken ct)
    {
        if (webhook.Url is null)
        {
            return new SlackPostResult(SlackPostStatus.Failed,
                $"no webhook for route '{UntrustedText.Escape(message.Members[0].Route)}': set {SettingNames.SlackWebhookUrl} or an entry in {SettingNames.SlackRouteWebhooks}");
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, webhook.Url)
        {
            Content = new StringContent(message.Json, Encoding.UTF8, "application/json"),
        };
        if (message.DedupKey is not null)
        {
            request.Headers.Add(DedupHeader, message.DedupKey);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(settings.Slack.Timeout);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                return SlackPostResult.Delivered;
            }
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                return new SlackPostResult(SlackPostStatus.RateLimited, "HTTP 429 Too Many Requests", RetryAfter(response.Headers.RetryAfter));
            }
            if (status is >= 300 and < 400)
            {
                return new SlackPostResult(SlackPostStatus.Refused, $"HTTP {status} {ReasonPhrase(response)}: the webhook redirects, and redirects are never followed");
            }
            var answer = $"HTTP {status} {ReasonPhrase(response)}{await ReasonAsync(response, timeout.Token)}";
            return status is >= 400 and < 500
                ? new SlackPostResult(SlackPostStatus.Refused, answer)
                : new SlackPostResult(SlackPostStatus.Failed, answer, RetryAfter(response.Headers.RetryAfter));
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new SlackPostResult(SlackPostStatus.Failed, $"no answer within {settings.Slack.Timeout.TotalMilliseconds:F0} ms");
        }
        catch (HttpRequestException e)
        {
            // The exception's message can name the host; the error kind is enough and never leaks the URL.
            return new SlackPostResult(SlackPostStatus.Failed, $"network error ({e.HttpRequestError})");
        }
    }

    /// <summary>
    /// The status line's reason phrase, escaped and cut: it is the answering server's text, and
    /// the error it goes into is logged and stored (reference §6.1). Escaped here, where the answer is
    /// read, so the lines that log the error do not escape it again.
    /// </summary>
    private static string ReasonPhrase(HttpResponseMessage response) => UntrustedText.Escape(response.ReasonPhrase, MaxReasonPhraseChars);

    /// <summary>
    /// ": {Slack's answer}", escaped and cut like <see cref="ReasonPhrase"/>; empty when there is
    /// none or it cannot be read. Only the start of the body is read: a webhook's error page may be large.
    /// </summary>
    private static async Task<string> ReasonAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(ct);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var start = new char[MaxReasonChars + 1]; // one more than is kept, so a longer answer is shown cut
            var read = await reader.ReadBlockAsync(start.AsMemory(), ct);
            var answer = new string(start, 0, read).Trim();
            return answer.Length == 0 ? "" : $": {UntrustedText.Escape(answer, MaxReasonChars)}";
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException or DecoderFallbackException)
        {
            return "";
        }
    }

    private TimeSpan? RetryAfter(RetryConditionHeaderValue? header) => RetryAfterHeader.Delay(header, time);
}
