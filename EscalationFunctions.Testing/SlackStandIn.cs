using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace EscalationFunctions.Testing;

/// <summary>
/// A stand-in for Slack incoming webhooks: a real HTTP server on 127.0.0.1 that accepts POSTs to
/// <c>/hooks/{name}</c>, records each one, and answers as scripted per webhook (200 by default).
/// With <see cref="EnforcedInterval"/> set it behaves like Slack's rate limit: a post that arrives
/// sooner than that after the last accepted one for the same webhook gets 429 with Retry-After.
/// A scripted reply may also misbehave the way a broken proxy in front of Slack could: a reason
/// phrase of its own (control characters and all, which Kestrel sends as they are, non-ASCII as
/// <c>?</c>) and headers of its own (sent as Latin-1, so characters up to U+00FF pass, C1 controls
/// included; Kestrel refuses C0 controls in a header whatever the encoding).
/// </summary>
public sealed class SlackStandIn : IAsyncDisposable
{
    private WebApplication _app = null!;
    private readonly ConcurrentQueue<ReceivedPost> _posts = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<Reply>> _scripts = new();
    private readonly ConcurrentDictionary<string, Reply> _defaults = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastAccepted = new();
    private readonly Lock _paceLock = new();

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>When set, posts to one webhook closer together than this are refused with 429.</summary>
    public TimeSpan? EnforcedInterval { get; set; }

    public IReadOnlyList<ReceivedPost> Posts => _posts.ToArray();

    public static async Task<SlackStandIn> StartAsync()
    {
        var standIn = new SlackStandIn();
        (standIn._app, standIn.BaseUrl) = await LoopbackHttpServer.StartAsync(app =>
        {
            app.MapPost("/hooks/{name}", (string name, HttpContext context) => standIn.ReceiveAsync(name, context));
            app.MapPost("/actions/{name}", (string name, HttpContext context) => standIn.ReceiveAsync(ResponseUrlPrefix + name, context));
        }, builder => builder.WebHost.ConfigureKestrel(k => k.ResponseHeaderEncodingSelector = _ => Encoding.Latin1));
        return standIn;
    }

    /// <summary>Posts to a <see cref="ResponseUrl"/> are recorded under this prefix and the name.</summary>
    public const string ResponseUrlPrefix = "response:";

    /// <summary>A click's <c>response_url</c> (Slack's are <c>https://hooks.slack.com/actions/...</c>); posts to it are <see cref="ResponsesTo"/>.</summary>
    public Uri ResponseUrl(string name) => new(BaseUrl, $"/actions/{name}");

    public IReadOnlyList<ReceivedPost> ResponsesTo(string name) => PostsTo(ResponseUrlPrefix + name);

    public Uri WebhookUrl(string name) => new(BaseUrl, $"/hooks/{name}");

    /// <summary>The next posts to <paramref name="webhook"/> get these replies, in order; then the default.</summary>
    public void Script(string webhook, params Reply[] replies)
    {
        var queue = _scripts.GetOrAdd(webhook, _ => new ConcurrentQueue<Reply>());
        foreach (var reply in replies)
        {
            queue.Enqueue(reply);
        }
    }

    /// <summary>Every post to <paramref name="webhook"/> without a scripted reply gets this one.</summary>
    public void SetDefault(string webhook, Reply reply) => _defaults[webhook] = reply;

    public IReadOnlyList<ReceivedPost> PostsTo(string webhook) => Posts.Where(p => p.Webhook == webhook).ToList();

    private async Task ReceiveAsync(string name, HttpContext context)
    {
        var at = DateTimeOffset.UtcNow;
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();

        var reply = _scripts.TryGetValue(name, out var queue) && queue.TryDequeue(out var scripted)
            ? scripted
            : _defaults.GetValueOrDefault(name, Reply.Ok);

        if (reply.Kind is ReplyKind.Ok or ReplyKind.Slow && EnforcedInterval is { } interval)
        {
            lock (_paceLock)
            {
                if (_lastAccepted.TryGetValue(name, out var last) && at - last < interval)
                {
                    reply = Reply.RateLimited(interval - (at - last));
                }
                else
                {
                    _lastAccepted[name] = at;
                }
            }
        }

        _posts.Enqueue(new ReceivedPost(name, context.Request.Headers["X-Dedup-Key"].ToString(), context.Request.ContentType, body, at, reply));
        if (reply.ReasonPhrase is not null)
        {
            context.Features.Get<IHttpResponseFeature>()!.ReasonPhrase = reply.ReasonPhrase;
        }

        switch (reply.Kind)
        {
            case ReplyKind.Hang:
                // Longer than the worker waits: it gives up, and the outcome is unknown to it.
                try
                {
                    await Task.Delay(reply.Delay, context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                context.Response.StatusCode = 200;
                await context.Response.WriteAsync("ok");
                return;
            case ReplyKind.Slow:
                await Task.Delay(reply.Delay);
                context.Response.StatusCode = 200;
                await context.Response.WriteAsync("ok");
                return;
            case ReplyKind.Redirect:
                context.Response.StatusCode = reply.StatusCode;
                context.Response.Headers.Location = reply.Location!.AbsoluteUri;
                return;
            case ReplyKind.RateLimited:
                context.Response.StatusCode = 429;
                context.Response.Headers.RetryAfter = reply.RetryAfter ?? Math.Max(1, (int)Math.Ceiling(reply.Delay.TotalSeconds)).ToString();
                await context.Response.WriteAsync(reply.Body ?? "rate_limited");
                return;
            case ReplyKind.Status:
                context.Response.StatusCode = reply.StatusCode;
                if (reply.RetryAfter is not null)
                {
                    context.Response.Headers.RetryAfter = reply.RetryAfter;
                }
                await context.Response.WriteAsync(reply.Body ?? "error");
                return;
            default:
                context.Response.StatusCode = 200;
                await context.Response.WriteAsync("ok");
                return;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

public enum ReplyKind
{
    Ok,
    Status,
    RateLimited,
    Hang,

    /// <summary>200, but only after <see cref="Reply.Delay"/>: a slow webhook that does accept the post.</summary>
    Slow,

    /// <summary>A 3xx to <see cref="Reply.Location"/>.</summary>
    Redirect,
}

/// <summary>How the stand-in answers one post.</summary>
/// <param name="ReasonPhrase">The status line's reason phrase instead of the standard one.</param>
/// <param name="RetryAfter">The Retry-After header's raw value (a 429's otherwise says <see cref="Delay"/> in seconds).</param>
public sealed record Reply(ReplyKind Kind, int StatusCode = 200, TimeSpan Delay = default, string? Body = null, Uri? Location = null,
    string? ReasonPhrase = null, string? RetryAfter = null)
{
    public static Reply Ok { get; } = new(ReplyKind.Ok);

    /// <summary>That status, with <paramref name="body"/> (Slack's own error answers are one word, e.g. <c>invalid_payload</c>).</summary>
    public static Reply Status(int code, string? body = null) => new(ReplyKind.Status, code, Body: body);

    public static Reply Slow(TimeSpan delay) => new(ReplyKind.Slow, 200, delay);

    public static Reply Redirect(int code, Uri location) => new(ReplyKind.Redirect, code, Location: location);

    public static Reply RateLimited(TimeSpan retryAfter) => new(ReplyKind.RateLimited, 429, retryAfter);

    /// <summary>A 429 whose Retry-After header is <paramref name="retryAfter"/> as it is, with <paramref name="body"/>.</summary>
    public static Reply RateLimited(string retryAfter, string? body = null, string? reasonPhrase = null) =>
        new(ReplyKind.RateLimited, 429, Body: body, ReasonPhrase: reasonPhrase, RetryAfter: retryAfter);

    public static Reply Hang(TimeSpan delay) => new(ReplyKind.Hang, 200, delay);
}

/// <summary>One post the stand-in received, and what it answered.</summary>
public sealed record ReceivedPost(string Webhook, string DedupHeader, string? ContentType, string Body, DateTimeOffset At, Reply Reply)
{
    /// <summary>The post reached Slack's equivalent of success: a 200 the sender could see.</summary>
    public bool Accepted => Reply.Kind is ReplyKind.Ok or ReplyKind.Slow;

    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    /// <summary>The escalations the post carries: a digest's <c>dedup_keys</c>, else its one dedup key.</summary>
    public IReadOnlyList<string> MemberKeys => Json.TryGetProperty("dedup_keys", out var keys)
        ? keys.EnumerateArray().Select(k => k.GetString()!).ToList()
        : [DedupHeader];
}
