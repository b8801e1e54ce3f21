using System.Net;
using System.Net.Http.Headers;
using System.Text;
using EscalationFunctions.Engine.Configuration;

namespace EscalationFunctions.Engine.Notifications;

/// <summary>POSTs the message to a Slack incoming webhook, with the dedup key in <c>X-Dedup-Key</c>.</summary>
public sealed class SlackWebhookTransport(HttpClient http, EscalationSettings settings, TimeProvider time) : ISlackTransport
{
    public const string DedupHeader = "X-Dedup-Key";

    // Used when a 429 carries no usable Retry-After.
    private static readonly TimeSpan DefaultRetryAfter = TimeSpan.FromSeconds(1);

    public bool IsRateLimited => true;

    public async Task<SlackPostResult> PostAsync(SlackWebhook webhook, OutboxNotification notification, string json, CancellationToken ct)
    {
        if (webhook.Url is null)
        {
            return new SlackPostResult(SlackPostStatus.Failed,
                $"no webhook for route '{notification.Route}': set {SettingNames.SlackWebhookUrl} or an entry in {SettingNames.SlackRouteWebhooks}");
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, webhook.Url)
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add(DedupHeader, notification.DedupKey);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(settings.Slack.Timeout);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (response.IsSuccessStatusCode)
            {
                return SlackPostResult.Delivered;
            }
            var retryAfter = RetryAfter(response.Headers.RetryAfter);
            return response.StatusCode == HttpStatusCode.TooManyRequests
                ? new SlackPostResult(SlackPostStatus.RateLimited, "HTTP 429 Too Many Requests", retryAfter ?? DefaultRetryAfter)
                : new SlackPostResult(SlackPostStatus.Failed, $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}", retryAfter);
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

    private TimeSpan? RetryAfter(RetryConditionHeaderValue? header)
    {
        if (header?.Delta is { } delta)
        {
            return delta;
        }
        if (header?.Date is { } date)
        {
            var wait = date - time.GetUtcNow();
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }
        return null;
    }
}
