using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Engine.Slack.Messages;
using EscalationFunctions.Engine.Slack.Outbox;
using EscalationFunctions.Engine.Untrusted;

namespace EscalationFunctions.Engine.Slack.Transports;

/// <summary>
/// Slack app mode's transport (reference §10): <c>chat.postMessage</c> for a page or a digest (a reply in
/// the incident's thread, also shown in the channel, when the message says so), <c>chat.update</c> for
/// a rewrite; the bot token as a Bearer header, read on each post. The dedup key(s) travel in the
/// message's <c>metadata</c>. The answer is sorted by its <c>ok</c> and <c>error</c> fields
/// (<see cref="SlackWebApiErrors"/>), since the Web API answers its errors with HTTP 200.
/// </summary>
public sealed class SlackWebApiTransport(HttpClient http, EscalationSettings settings, SlackBotTokenProvider token, TimeProvider time) : ISlackTransport
{
    public const string PostMethod = "chat.postMessage";
    public const string UpdateMethod = "chat.update";

    // Slack's error codes are short words; anything else in their place is cut.
    private const int MaxErrorChars = 100;

    private readonly SlackAppSettings _app = settings.Slack.App ?? throw new InvalidOperationException("Slack app mode is off.");

    public bool IsRateLimited => true;

    public async Task<SlackPostResult> PostAsync(PlannedLane lane, SlackMessage message, CancellationToken ct)
    {
        if (message.App is not { } target)
        {
            return new SlackPostResult(SlackPostStatus.Failed,
                $"no channel for route '{UntrustedText.Escape(message.Members[0].Route)}': set {SettingNames.SlackChannel} or an entry in {SettingNames.SlackRouteChannels}");
        }
        var bearer = await token.GetAsync(ct);
        if (bearer is null)
        {
            return new SlackPostResult(SlackPostStatus.AuthFailed, $"{SettingNames.SlackBotToken} is not set");
        }

        var method = target.IsUpdate ? UpdateMethod : PostMethod;
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_app.ApiBaseUrl.AbsoluteUri.TrimEnd('/') + "/" + method))
        {
            Content = new StringContent(Body(message, target), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(settings.Slack.Timeout);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token);
            var status = (int)response.StatusCode;
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                return new SlackPostResult(SlackPostStatus.RateLimited, $"{method}: HTTP 429 ratelimited", RetryAfter(response.Headers.RetryAfter));
            }
            if (status != 200)
            {
                var answer = $"{method}: HTTP {status} {UntrustedText.Escape(response.ReasonPhrase, MaxErrorChars)}";
                return status is >= 500 ? new SlackPostResult(SlackPostStatus.Failed, answer, RetryAfter(response.Headers.RetryAfter))
                    : new SlackPostResult(SlackPostStatus.Refused, answer);
            }
            return Sort(method, await response.Content.ReadAsByteArrayAsync(timeout.Token), response.Headers.RetryAfter);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new SlackPostResult(SlackPostStatus.Failed, $"{method}: no answer within {settings.Slack.Timeout.TotalMilliseconds:F0} ms");
        }
        catch (HttpRequestException e)
        {
            return new SlackPostResult(SlackPostStatus.Failed, $"{method}: network error ({e.HttpRequestError})");
        }
    }

    /// <summary>The JSON of the call: the composed message's text and blocks, where it goes, and the dedup key(s) as metadata.</summary>
    internal static string Body(SlackMessage message, SlackAppTarget target)
    {
        var body = JsonNode.Parse(message.Json)!.AsObject();
        var keys = body["dedup_keys"]?.DeepClone();
        body.Remove("dedup_keys");
        body.Remove("dedup_key");
        var payload = new JsonObject();
        if (keys is not null)
        {
            payload["dedup_keys"] = keys;
        }
        else if (message.DedupKey is not null)
        {
            payload["dedup_key"] = message.DedupKey;
        }
        var call = new JsonObject { ["channel"] = target.Channel };
        if (target.IsUpdate)
        {
            call["ts"] = target.UpdateTs;
        }
        else if (target.ThreadTs is not null)
        {
            call["thread_ts"] = target.ThreadTs;
            call["reply_broadcast"] = true;
        }
        foreach (var (name, value) in body.ToList())
        {
            body.Remove(name);
            call[name] = value;
        }
        if (payload.Count > 0)
        {
            call["metadata"] = new JsonObject { ["event_type"] = "escalation", ["event_payload"] = payload };
        }
        return call.ToJsonString();
    }

    private SlackPostResult Sort(string method, byte[] answer, RetryConditionHeaderValue? retryAfter)
    {
        bool? ok = null;
        string? error = null, ts = null;
        try
        {
            using var json = JsonDocument.Parse(answer);
            if (json.RootElement.ValueKind == JsonValueKind.Object)
            {
                var root = json.RootElement;
                ok = root.TryGetProperty("ok", out var o) && o.ValueKind is JsonValueKind.True or JsonValueKind.False ? o.GetBoolean() : null;
                error = root.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
                ts = root.TryGetProperty("ts", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            }
        }
        catch (JsonException)
        {
        }
        if (ok == true && !string.IsNullOrEmpty(ts))
        {
            return new SlackPostResult(SlackPostStatus.Delivered, Ts: ts);
        }
        if (ok != false)
        {
            // Whether it was posted is unknown: posting again is the safe side (the metadata carries the dedup key).
            return new SlackPostResult(SlackPostStatus.Failed, $"{method}: HTTP 200 without Slack's answer (no 'ok' and 'ts')");
        }
        var code = UntrustedText.Escape(error ?? "", MaxErrorChars);
        var status = SlackWebApiErrors.Classify(error ?? "");
        return new SlackPostResult(status, $"{method}: Slack answered ok:false '{code}'", status == SlackPostStatus.RateLimited ? RetryAfter(retryAfter) : null);
    }

    private TimeSpan? RetryAfter(RetryConditionHeaderValue? header) => RetryAfterHeader.Delay(header, time);
}
