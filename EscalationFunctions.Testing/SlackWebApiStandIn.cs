using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace EscalationFunctions.Testing;

/// <summary>
/// A stand-in for Slack's Web API (<c>chat.postMessage</c> and <c>chat.update</c>): a real HTTP
/// server on 127.0.0.1 that checks the bearer token, keeps each channel's messages and threads,
/// and answers as Slack does: HTTP 200 with <c>"ok":true</c> or <c>"ok":false,"error":code</c>,
/// and HTTP 429 with Retry-After when a channel gets more than one call per
/// <see cref="EnforcedInterval"/>. Replies can be scripted per channel to imitate Slack's outages.
/// Calls are checked in this order: method, token, scripted reply, body is a JSON object,
/// channel, rate limit, content.
/// </summary>
public sealed class SlackWebApiStandIn : IAsyncDisposable
{
    public const string DefaultToken = "xoxb-test-token";

    /// <summary>The two methods the stand-in serves; any other gets <c>unknown_method</c>.</summary>
    public const string ChatPostMessage = "chat.postMessage";
    public const string ChatUpdate = "chat.update";

    /// <summary>The bot's ids in the <c>message</c> of a success answer.</summary>
    public const string BotUserId = "U0STANDIN";
    public const string BotId = "B0STANDIN";

    private WebApplication _app = null!;
    private readonly Lock _lock = new();
    private readonly List<ApiCall> _calls = [];
    private readonly Dictionary<string, SlackWebApiChannel> _channels = [];
    private readonly ConcurrentDictionary<string, ConcurrentQueue<ApiReply>> _scripts = new();
    private readonly ConcurrentDictionary<string, bool> _revokedTokens = new();
    private TimeSpan? _enforcedInterval = TimeSpan.FromSeconds(1);
    private long _lastTsMicroseconds;

    /// <summary>Where the methods are: <c>{ApiBaseUrl}/chat.postMessage</c>, as <c>https://slack.com/api</c> is for Slack.</summary>
    public Uri ApiBaseUrl { get; private set; } = null!;

    /// <summary>Bearer tokens the stand-in accepts; any other gets <c>invalid_auth</c>.</summary>
    public IReadOnlySet<string> AcceptedTokens { get; set; } = new HashSet<string> { DefaultToken };

    /// <summary>
    /// Slack's per-channel pace (about one message a second): a post or update to a channel sooner than
    /// this after its last accepted one gets 429. Null turns the limit off.
    /// </summary>
    public TimeSpan? EnforcedInterval
    {
        get { lock (_lock) { return _enforcedInterval; } }
        set { lock (_lock) { _enforcedInterval = value; } }
    }

    /// <summary>Every call received, in the order the stand-in handled them.</summary>
    public IReadOnlyList<ApiCall> Calls
    {
        get { lock (_lock) { return _calls.ToArray(); } }
    }

    public static async Task<SlackWebApiStandIn> StartAsync()
    {
        var standIn = new SlackWebApiStandIn();
        (standIn._app, var baseUrl) = await LoopbackHttpServer.StartAsync(app =>
            app.MapPost("/api/{method}", (string method, HttpContext context) => standIn.ReceiveAsync(method, context)));
        standIn.ApiBaseUrl = new Uri(baseUrl, "/api");
        return standIn;
    }

    /// <summary>From now on <paramref name="token"/> gets <c>token_revoked</c>, even if it is accepted.</summary>
    public void RevokeToken(string token) => _revokedTokens[token] = true;

    /// <summary>
    /// Makes <paramref name="id"/> a channel the bot knows (others get <c>channel_not_found</c>); not a
    /// member gets <c>not_in_channel</c>, archived <c>is_archived</c>. Adding it again changes those and keeps its messages.
    /// </summary>
    public void AddChannel(string id, bool member = true, bool archived = false)
    {
        lock (_lock)
        {
            if (!_channels.TryGetValue(id, out var channel))
            {
                _channels[id] = channel = new SlackWebApiChannel(id);
            }
            channel.Member = member;
            channel.Archived = archived;
        }
    }

    /// <summary>The next calls naming <paramref name="channel"/> (with a good token) get these replies, in order; then normal handling.</summary>
    public void Script(string channel, params ApiReply[] replies)
    {
        var queue = _scripts.GetOrAdd(channel, _ => new ConcurrentQueue<ApiReply>());
        foreach (var reply in replies)
        {
            queue.Enqueue(reply);
        }
    }

    public IReadOnlyList<ApiCall> CallsTo(string channel) => Calls.Where(c => c.Channel == channel).ToList();

    /// <summary>The channel's messages as they now stand, top-level and replies, oldest first; empty for an unknown channel.</summary>
    public IReadOnlyList<ChannelMessage> Messages(string channel)
    {
        lock (_lock)
        {
            return _channels.TryGetValue(channel, out var known) ? known.Messages : [];
        }
    }

    /// <summary>
    /// The channel as a person would see it, one line per message: <c>[ts] text</c>, thread replies
    /// indented under their root as <c>    ↳ [ts] ...</c>, with <c>(also sent to channel)</c> and <c>(edited N×)</c> markers.
    /// </summary>
    public string Render(string channel)
    {
        lock (_lock)
        {
            return _channels.TryGetValue(channel, out var known) ? known.Render() : "";
        }
    }

    private async Task ReceiveAsync(string method, HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var (token, authError) = ReadToken(context.Request.Headers.Authorization.ToString());
        var json = SlackWebApiJson.TryParseObject(body);
        var channelId = json is { } request ? SlackWebApiJson.StringProperty(request, "channel") : null;

        ApiAnswer answer;
        int callIndex;
        lock (_lock)
        {
            var at = DateTimeOffset.UtcNow;
            answer = Decide(method, authError, json, channelId, at);
            callIndex = _calls.Count;
            _calls.Add(new ApiCall(method, channelId, token, body, at, answer.HttpStatus, answer.Body));
        }

        if (answer.Hang)
        {
            await HangAsync(answer.Delay, callIndex, context);
            return;
        }
        if (answer.Delay > TimeSpan.Zero && !await WaitAsync(answer.Delay, context.RequestAborted))
        {
            return;
        }
        await WriteAsync(context, answer);
    }

    /// <summary>The answer to one call, given its token check and body. Runs under the lock.</summary>
    private ApiAnswer Decide(string method, string? authError, JsonElement? json, string? channelId, DateTimeOffset at)
    {
        if (method is not (ChatPostMessage or ChatUpdate))
        {
            return ApiAnswer.Error("unknown_method");
        }
        if (authError is not null)
        {
            return ApiAnswer.Error(authError);
        }
        if (channelId is not null && _scripts.TryGetValue(channelId, out var script) && script.TryDequeue(out var reply))
        {
            return reply.Kind switch
            {
                ApiReplyKind.Error => ApiAnswer.Error(reply.ErrorCode!),
                ApiReplyKind.RateLimited => ApiAnswer.RateLimited(reply.RetryAfterSeconds),
                ApiReplyKind.HttpStatus => new ApiAnswer(reply.StatusCode, reply.Body ?? ""),
                ApiReplyKind.Hang => new ApiAnswer(0, "", Delay: reply.Delay, Hang: true),
                _ => Handle(method, json, channelId, at) with { Delay = reply.Delay },
            };
        }
        return Handle(method, json, channelId, at);
    }

    /// <summary>Slack's own handling: channel, rate limit, content, then the message is stored or changed.</summary>
    private ApiAnswer Handle(string method, JsonElement? json, string? channelId, DateTimeOffset at)
    {
        if (json is not { } body)
        {
            return ApiAnswer.Error("invalid_json");
        }
        if (channelId is null || !_channels.TryGetValue(channelId, out var channel))
        {
            return ApiAnswer.Error("channel_not_found");
        }
        if (channel.Archived)
        {
            return ApiAnswer.Error("is_archived");
        }
        if (!channel.Member)
        {
            return ApiAnswer.Error("not_in_channel");
        }
        if (_enforcedInterval is { } interval && channel.LastAccepted is { } last && at - last < interval)
        {
            return ApiAnswer.RateLimited(Math.Max(1, (int)Math.Ceiling((interval - (at - last)).TotalSeconds)));
        }
        if (MessageContent.TryRead(body, out var content) is { } contentError)
        {
            return ApiAnswer.Error(contentError);
        }

        var answer = method == ChatPostMessage ? Post(channel, body, content, at) : Change(channel, body, content);
        if (answer.ErrorCode is null)
        {
            channel.LastAccepted = at;
        }
        return answer;
    }

    private ApiAnswer Post(SlackWebApiChannel channel, JsonElement body, MessageContent content, DateTimeOffset at)
    {
        string? threadTs = null;
        if (SlackWebApiJson.Property(body, "thread_ts") is { } thread)
        {
            threadTs = thread.ValueKind == JsonValueKind.String ? thread.GetString() : null;
            if (threadTs is null || !channel.HasTopLevelMessage(threadTs))
            {
                return ApiAnswer.Error("thread_not_found");
            }
        }
        var broadcast = threadTs is not null && SlackWebApiJson.Property(body, "reply_broadcast") is { } flag
            && (flag.ValueKind == JsonValueKind.True || flag.ValueKind == JsonValueKind.String && flag.GetString() == "true");

        var message = new ChannelMessage(channel.Id, NextTs(at), threadTs, broadcast, content.Text ?? "", content.BlocksJson ?? "[]",
            content.MetadataJson, 0, content.DedupKeys);
        channel.Add(message);
        return ApiAnswer.Success(SlackWebApiJson.Success(message, withText: false));
    }

    /// <summary>chat.update: the fields sent replace the message's; those left out stay as they were.</summary>
    private static ApiAnswer Change(SlackWebApiChannel channel, JsonElement body, MessageContent content)
    {
        if (SlackWebApiJson.StringProperty(body, "ts") is not { } ts || channel.Find(ts) is not { } message)
        {
            return ApiAnswer.Error("message_not_found");
        }
        var updated = message with
        {
            Text = content.Text ?? message.Text,
            BlocksJson = content.BlocksJson ?? message.BlocksJson,
            MetadataJson = content.MetadataJson ?? message.MetadataJson,
            DedupKeys = content.MetadataJson is null ? message.DedupKeys : content.DedupKeys,
            Updates = message.Updates + 1,
        };
        channel.Replace(updated);
        return ApiAnswer.Success(SlackWebApiJson.Success(updated, withText: true));
    }

    /// <summary>
    /// A Slack ts (<c>seconds.microseconds</c>) from the clock, 100 µs past the last one at least, so
    /// each is unique and later than the one before. It always ends in <c>00</c>: a client that turns
    /// it into a number and back loses those zeros and no longer names the message.
    /// </summary>
    private string NextTs(DateTimeOffset at)
    {
        var now = (at.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10 / 100 * 100;
        _lastTsMicroseconds = Math.Max(now, _lastTsMicroseconds + 100);
        return string.Create(CultureInfo.InvariantCulture, $"{_lastTsMicroseconds / 1_000_000}.{_lastTsMicroseconds % 1_000_000:D6}");
    }

    /// <summary>The bearer token and, when Slack would refuse it, the error code.</summary>
    private (string? Token, string? Error) ReadToken(string authorization)
    {
        var parts = authorization.Trim().Split(' ', 2, StringSplitOptions.TrimEntries);
        if (parts[0].Length == 0)
        {
            return (null, "not_authed");
        }
        if (!parts[0].Equals("Bearer", StringComparison.OrdinalIgnoreCase))
        {
            return (null, "invalid_auth");
        }
        if (parts.Length == 1 || parts[1].Length == 0)
        {
            return (null, "not_authed");
        }
        var token = parts[1];
        if (_revokedTokens.ContainsKey(token))
        {
            return (token, "token_revoked");
        }
        return AcceptedTokens.Contains(token) ? (token, null) : (token, "invalid_auth");
    }

    /// <summary>Holds the call for <paramref name="delay"/>; if the caller is still there, answers <c>request_timeout</c>.</summary>
    private async Task HangAsync(TimeSpan delay, int callIndex, HttpContext context)
    {
        if (!await WaitAsync(delay, context.RequestAborted))
        {
            return;
        }
        var answer = ApiAnswer.Error("request_timeout");
        lock (_lock)
        {
            _calls[callIndex] = _calls[callIndex] with { HttpStatus = answer.HttpStatus, AnswerBody = answer.Body };
        }
        await WriteAsync(context, answer);
    }

    /// <summary>False when the caller gave up first.</summary>
    private static async Task<bool> WaitAsync(TimeSpan delay, CancellationToken aborted)
    {
        try
        {
            await Task.Delay(delay, aborted);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static async Task WriteAsync(HttpContext context, ApiAnswer answer)
    {
        context.Response.StatusCode = answer.HttpStatus;
        if (answer.RetryAfterSeconds is { } seconds)
        {
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }
        if (answer.Body.Length == 0)
        {
            return;
        }
        context.Response.ContentType = answer.Body.StartsWith('{') ? SlackWebApiJson.ContentType : "text/plain; charset=utf-8";
        await context.Response.WriteAsync(answer.Body);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>What the stand-in sends back for one call (status 0 and no body while a hang lasts).</summary>
    private sealed record ApiAnswer(int HttpStatus, string Body, int? RetryAfterSeconds = null, TimeSpan Delay = default, bool Hang = false)
    {
        public string? ErrorCode { get; init; }

        public static ApiAnswer Success(string body) => new(200, body);

        public static ApiAnswer Error(string code) => new(200, SlackWebApiJson.Error(code)) { ErrorCode = code };

        /// <summary>429 with Retry-After in whole seconds.</summary>
        public static ApiAnswer RateLimited(int retryAfterSeconds) =>
            new(429, SlackWebApiJson.Error("ratelimited"), retryAfterSeconds) { ErrorCode = "ratelimited" };
    }
}
