using System.Text.Json;

namespace EscalationFunctions.Testing;

/// <summary>The kinds of answer a scripted <see cref="ApiReply"/> can give.</summary>
public enum ApiReplyKind
{
    /// <summary>HTTP 200 with <c>{"ok":false,"error":code}</c>, as Slack reports most failures.</summary>
    Error,

    /// <summary>HTTP 429 with Retry-After and <c>{"ok":false,"error":"ratelimited"}</c>.</summary>
    RateLimited,

    /// <summary>A bare status and body, as a proxy or load balancer in front of Slack might answer.</summary>
    HttpStatus,

    /// <summary>Handled normally on arrival (stored, counted), answered only after the delay.</summary>
    Slow,

    /// <summary>No answer within the delay and nothing stored: the caller cannot know the outcome.</summary>
    Hang,
}

/// <summary>
/// A scripted answer to one Web API call to a channel (<see cref="SlackWebApiStandIn.Script"/>):
/// it replaces the stand-in's own handling, which still checks the token first.
/// </summary>
public sealed record ApiReply(ApiReplyKind Kind, int StatusCode = 200, string? Body = null, string? ErrorCode = null,
    TimeSpan Delay = default, int RetryAfterSeconds = 0)
{
    /// <summary>HTTP 200 with <c>{"ok":false,"error":<paramref name="code"/>}</c>; nothing is stored.</summary>
    public static ApiReply Error(string code) => new(ApiReplyKind.Error, ErrorCode: code);

    /// <summary>HTTP 429, <c>Retry-After: <paramref name="retryAfterSeconds"/></c>, <c>{"ok":false,"error":"ratelimited"}</c>.</summary>
    public static ApiReply RateLimited(int retryAfterSeconds) => new(ApiReplyKind.RateLimited, 429, RetryAfterSeconds: retryAfterSeconds);

    /// <summary>Status <paramref name="code"/> with <paramref name="body"/> as it is (none when null); nothing is stored.</summary>
    public static ApiReply HttpStatus(int code, string? body = null) => new(ApiReplyKind.HttpStatus, code, body);

    /// <summary>Handled normally when the call arrives, but answered only after <paramref name="delay"/>.</summary>
    public static ApiReply Slow(TimeSpan delay) => new(ApiReplyKind.Slow, Delay: delay);

    /// <summary>No answer for <paramref name="delay"/> (then <c>request_timeout</c>); the message is not stored.</summary>
    public static ApiReply Hang(TimeSpan delay) => new(ApiReplyKind.Hang, Delay: delay);
}

/// <summary>
/// One call the stand-in received and what it answered. <see cref="HttpStatus"/> is 0 and
/// <see cref="AnswerBody"/> empty while a <see cref="ApiReplyKind.Hang"/> has not answered (or never did,
/// the caller having given up). A <see cref="ApiReplyKind.Slow"/> call shows the answer it was given
/// even if the caller stopped waiting for it.
/// </summary>
/// <param name="Method">The method named in the path: <c>chat.postMessage</c> or <c>chat.update</c> (anything else got <c>unknown_method</c>).</param>
/// <param name="Channel">The body's <c>channel</c>, when it is a JSON string.</param>
/// <param name="Token">The bearer token sent, if any.</param>
/// <param name="At">When the stand-in handled the call.</param>
public sealed record ApiCall(string Method, string? Channel, string? Token, string Body, DateTimeOffset At, int HttpStatus, string AnswerBody)
{
    /// <summary>HTTP 200 with <c>"ok":true</c>: Slack took the call.</summary>
    public bool Ok => HttpStatus == 200 && SlackWebApiJson.TryParseObject(AnswerBody) is { } answer
        && answer.TryGetProperty("ok", out var ok) && ok.ValueKind == JsonValueKind.True;

    /// <summary>The answer's <c>error</c> code; null when it carries none (success, a bare status, no answer).</summary>
    public string? Error => SlackWebApiJson.TryParseObject(AnswerBody) is { } answer
        && answer.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String
            ? error.GetString()
            : null;

    /// <summary>The request body parsed; throws when it is not JSON.</summary>
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    /// <summary>The escalations the call names in <c>metadata.event_payload</c> (<c>dedup_keys</c>, else <c>dedup_key</c>); empty if none.</summary>
    public IReadOnlyList<string> DedupKeys => SlackWebApiJson.TryParseObject(Body) is { } body && body.TryGetProperty("metadata", out var metadata)
        ? SlackWebApiJson.DedupKeys(metadata)
        : [];
}

/// <summary>
/// A message as it now stands in a channel of the stand-in.
/// </summary>
/// <param name="ThreadTs">The root message's ts for a thread reply; null for a top-level message.</param>
/// <param name="ReplyBroadcast">A thread reply that is also shown in the channel (always false for a top-level message).</param>
/// <param name="Text">The text, empty when the message was sent with blocks only.</param>
/// <param name="BlocksJson">The blocks as sent, <c>[]</c> when there are none.</param>
/// <param name="MetadataJson">The <c>metadata</c> object as sent; null when there is none.</param>
/// <param name="Updates">How many accepted <c>chat.update</c> calls changed the message.</param>
/// <param name="DedupKeys">The escalations its metadata names (see <see cref="ApiCall.DedupKeys"/>).</param>
public sealed record ChannelMessage(string Channel, string Ts, string? ThreadTs, bool ReplyBroadcast, string Text, string BlocksJson,
    string? MetadataJson, int Updates, IReadOnlyList<string> DedupKeys);
