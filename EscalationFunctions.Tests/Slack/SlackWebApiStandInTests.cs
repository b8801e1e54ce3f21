using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using EscalationFunctions.Testing;

namespace EscalationFunctions.Tests.Slack;

/// <summary>
/// The Slack Web API stand-in answers plain HTTP calls as Slack does: messages, threads and edits
/// are kept with their ts, each refusal has Slack's error code, the per-channel pace gives 429, and
/// scripted replies come first.
/// </summary>
[Lane(TestLane.Unit)]
public class SlackWebApiStandInTests
{
    private static readonly HttpClient Http = new();

    /// <summary>What one call got back.</summary>
    private sealed record Answer(HttpStatusCode Status, RetryConditionHeaderValue? RetryAfter, JsonElement Json)
    {
        public bool Ok => Json.GetProperty("ok").GetBoolean();

        public string? Error => Json.TryGetProperty("error", out var error) ? error.GetString() : null;

        public string Ts => Json.GetProperty("ts").GetString()!;
    }

    /// <summary>A stand-in with these channels (the bot a member of each) and no rate limit.</summary>
    private static async Task<SlackWebApiStandIn> StartAsync(params string[] channels)
    {
        var slack = await SlackWebApiStandIn.StartAsync();
        slack.EnforcedInterval = null;
        foreach (var channel in channels)
        {
            slack.AddChannel(channel);
        }
        return slack;
    }

    /// <summary>POSTs <paramref name="body"/> (serialized unless it is a string) as Slack's clients do.</summary>
    private static async Task<Answer> CallAsync(SlackWebApiStandIn slack, string method, object body,
        string? authorization = "Bearer " + SlackWebApiStandIn.DefaultToken, HttpClient? client = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{slack.ApiBaseUrl}/{method}")
        {
            Content = new StringContent(body as string ?? JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"),
        };
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }
        using var response = await (client ?? Http).SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return new Answer(response.StatusCode, response.Headers.RetryAfter, JsonDocument.Parse(text).RootElement.Clone());
    }

    private static Task<Answer> PostAsync(SlackWebApiStandIn slack, object body, string? authorization = "Bearer " + SlackWebApiStandIn.DefaultToken) =>
        CallAsync(slack, SlackWebApiStandIn.ChatPostMessage, body, authorization);

    private static Task<Answer> UpdateAsync(SlackWebApiStandIn slack, object body) => CallAsync(slack, SlackWebApiStandIn.ChatUpdate, body);

    private static void AssertRefused(Answer answer, string error)
    {
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.False(answer.Ok);
        Assert.Equal(error, answer.Error);
    }

    [Fact]
    public async Task A_post_a_broadcast_thread_reply_and_an_update_are_kept_with_increasing_ts_returned_verbatim()
    {
        await using var slack = await StartAsync("C1");
        var metadata = new { event_type = "escalation", event_payload = new { dedup_key = "k1" } };

        var root = await PostAsync(slack, new { channel = "C1", text = "*INC-1* down\nsecond line", metadata });
        var reply = await PostAsync(slack, new { channel = "C1", text = "paged again", thread_ts = root.Ts, reply_broadcast = true });
        var update = await UpdateAsync(slack, new { channel = "C1", ts = root.Ts, text = "*INC-1* acknowledged" });

        Assert.All(new[] { root, reply, update }, a => Assert.Equal(HttpStatusCode.OK, a.Status));
        Assert.All(new[] { root, reply, update }, a => Assert.True(a.Ok));
        Assert.Matches(@"^\d{10}\.\d{6}$", root.Ts);
        Assert.All(new[] { root.Ts, reply.Ts }, ts => Assert.EndsWith("00", ts));
        Assert.True(decimal.Parse(reply.Ts, CultureInfo.InvariantCulture) > decimal.Parse(root.Ts, CultureInfo.InvariantCulture), $"{reply.Ts} after {root.Ts}");
        Assert.Equal("C1", root.Json.GetProperty("channel").GetString());
        Assert.Equal("*INC-1* down\nsecond line", root.Json.GetProperty("message").GetProperty("text").GetString());
        Assert.Equal(root.Ts, reply.Json.GetProperty("message").GetProperty("thread_ts").GetString());
        Assert.Equal(root.Ts, update.Ts);
        Assert.Equal("*INC-1* acknowledged", update.Json.GetProperty("text").GetString());

        var messages = slack.Messages("C1");
        Assert.Equal(2, messages.Count);
        Assert.Equal(new ChannelMessage("C1", root.Ts, null, false, "*INC-1* acknowledged", "[]", JsonSerializer.Serialize(metadata), 1, messages[0].DedupKeys), messages[0]);
        Assert.Equal(["k1"], messages[0].DedupKeys);
        Assert.Equal(root.Ts, messages[1].ThreadTs);
        Assert.Equal(reply.Ts, messages[1].Ts);
        Assert.True(messages[1].ReplyBroadcast);
        Assert.Equal(0, messages[1].Updates);

        var calls = slack.CallsTo("C1");
        Assert.Equal([SlackWebApiStandIn.ChatPostMessage, SlackWebApiStandIn.ChatPostMessage, SlackWebApiStandIn.ChatUpdate], calls.Select(c => c.Method));
        Assert.All(calls, c => Assert.True(c.Ok));
        Assert.All(calls, c => Assert.Equal(SlackWebApiStandIn.DefaultToken, c.Token));
        Assert.Equal(["k1"], calls[0].DedupKeys);
        Assert.Empty(calls[1].DedupKeys);
        Assert.Equal(root.Ts, calls[2].Json.GetProperty("ts").GetString());
    }

    [Fact]
    public async Task A_digest_names_every_dedup_key_in_its_metadata()
    {
        await using var slack = await StartAsync("C1");

        var answer = await PostAsync(slack, new
        {
            channel = "C1",
            blocks = new[] { new { type = "section", text = new { type = "mrkdwn", text = "3 incidents" } } },
            metadata = new { event_type = "escalation", event_payload = new { dedup_keys = new[] { "a", "b", "c" } } },
        });

        Assert.True(answer.Ok);
        var message = Assert.Single(slack.Messages("C1"));
        Assert.Equal(["a", "b", "c"], message.DedupKeys);
        Assert.Equal("", message.Text);
        Assert.Equal("section", JsonDocument.Parse(message.BlocksJson).RootElement[0].GetProperty("type").GetString());
        Assert.Equal(["a", "b", "c"], Assert.Single(slack.Calls).DedupKeys);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Bearer ")]
    public async Task A_call_without_a_token_is_not_authed(string? authorization)
    {
        await using var slack = await StartAsync("C1");

        AssertRefused(await PostAsync(slack, new { channel = "C1", text = "hi" }, authorization), "not_authed");

        Assert.Empty(slack.Messages("C1"));
        var call = Assert.Single(slack.Calls);
        Assert.Null(call.Token);
        Assert.False(call.Ok);
        Assert.Equal("not_authed", call.Error);
    }

    [Fact]
    public async Task A_token_that_is_not_accepted_is_invalid_auth()
    {
        await using var slack = await StartAsync("C1");

        AssertRefused(await PostAsync(slack, new { channel = "C1", text = "hi" }, "Bearer xoxb-wrong"), "invalid_auth");
        slack.AcceptedTokens = new HashSet<string> { "xoxb-rotated" };
        AssertRefused(await PostAsync(slack, new { channel = "C1", text = "hi" }), "invalid_auth");
        Assert.True((await PostAsync(slack, new { channel = "C1", text = "hi" }, "Bearer xoxb-rotated")).Ok);

        Assert.Single(slack.Messages("C1"));
        Assert.Equal(["xoxb-wrong", SlackWebApiStandIn.DefaultToken, "xoxb-rotated"], slack.Calls.Select(c => c.Token));
    }

    [Fact]
    public async Task A_revoked_token_is_token_revoked_though_it_was_accepted()
    {
        await using var slack = await StartAsync("C1");
        Assert.True((await PostAsync(slack, new { channel = "C1", text = "before" })).Ok);

        slack.RevokeToken(SlackWebApiStandIn.DefaultToken);

        AssertRefused(await PostAsync(slack, new { channel = "C1", text = "after" }), "token_revoked");
        Assert.Equal("before", Assert.Single(slack.Messages("C1")).Text);
    }

    [Theory]
    [InlineData("C404", "channel_not_found")]
    [InlineData(null, "channel_not_found")]
    [InlineData("COUTSIDE", "not_in_channel")]
    [InlineData("CARCHIVED", "is_archived")]
    public async Task The_channel_decides_whether_the_bot_may_post(string? channel, string error)
    {
        await using var slack = await StartAsync();
        slack.AddChannel("COUTSIDE", member: false);
        slack.AddChannel("CARCHIVED", archived: true);

        AssertRefused(await PostAsync(slack, new { channel, text = "hi" }), error);
        AssertRefused(await UpdateAsync(slack, new { channel, ts = "1733340000.000100", text = "hi" }), error);

        Assert.Empty(slack.Messages(channel ?? ""));
        Assert.All(slack.Calls, c => Assert.Equal(channel, c.Channel));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[{\"channel\":\"C1\",\"text\":\"hi\"}]")]
    [InlineData("\"C1\"")]
    public async Task A_body_that_is_not_a_json_object_is_invalid_json(string body)
    {
        await using var slack = await StartAsync("C1");

        AssertRefused(await PostAsync(slack, body), "invalid_json");

        Assert.Empty(slack.Messages("C1"));
        Assert.Equal(body, Assert.Single(slack.Calls).Body);
    }

    [Fact]
    public async Task Blocks_that_are_not_a_list_of_at_most_50_blocks_are_invalid_blocks()
    {
        await using var slack = await StartAsync("C1");
        object Blocks(int count) => Enumerable.Range(0, count).Select(i => new { type = "section", text = new { type = "mrkdwn", text = $"#{i}" } }).ToArray();

        AssertRefused(await PostAsync(slack, new { channel = "C1", text = "x", blocks = new { type = "section" } }), "invalid_blocks");
        AssertRefused(await PostAsync(slack, new { channel = "C1", text = "x", blocks = "[]" }), "invalid_blocks");
        AssertRefused(await PostAsync(slack, new { channel = "C1", text = "x", blocks = new object[] { "section" } }), "invalid_blocks");
        AssertRefused(await PostAsync(slack, new { channel = "C1", text = "x", blocks = Blocks(51) }), "invalid_blocks");
        Assert.Empty(slack.Messages("C1"));

        var fifty = await PostAsync(slack, new { channel = "C1", text = "x", blocks = Blocks(50) });
        Assert.True(fifty.Ok);
        AssertRefused(await UpdateAsync(slack, new { channel = "C1", ts = fifty.Ts, blocks = Blocks(51) }), "invalid_blocks");
        Assert.Equal(0, Assert.Single(slack.Messages("C1")).Updates);
    }

    [Fact]
    public async Task A_message_with_neither_text_nor_blocks_is_no_text_and_one_over_40000_characters_is_msg_too_long()
    {
        await using var slack = await StartAsync("C1");

        AssertRefused(await PostAsync(slack, new { channel = "C1" }), "no_text");
        AssertRefused(await PostAsync(slack, new { channel = "C1", text = "", blocks = Array.Empty<object>() }), "no_text");
        AssertRefused(await PostAsync(slack, new { channel = "C1", text = new string('x', 40_001) }), "msg_too_long");
        Assert.Empty(slack.Messages("C1"));

        var longest = await PostAsync(slack, new { channel = "C1", text = new string('x', 40_000) });
        Assert.True(longest.Ok);
        AssertRefused(await UpdateAsync(slack, new { channel = "C1", ts = longest.Ts }), "no_text");
    }

    [Fact]
    public async Task A_reply_to_anything_but_a_top_level_message_of_the_channel_is_thread_not_found()
    {
        await using var slack = await StartAsync("C1", "C2");
        var root = await PostAsync(slack, new { channel = "C1", text = "root" });
        var reply = await PostAsync(slack, new { channel = "C1", text = "reply", thread_ts = root.Ts });
        var elsewhere = await PostAsync(slack, new { channel = "C2", text = "other channel" });

        AssertRefused(await PostAsync(slack, new { channel = "C1", text = "x", thread_ts = "1000000000.000100" }), "thread_not_found");
        AssertRefused(await PostAsync(slack, new { channel = "C1", text = "x", thread_ts = reply.Ts }), "thread_not_found");
        AssertRefused(await PostAsync(slack, new { channel = "C1", text = "x", thread_ts = elsewhere.Ts }), "thread_not_found");
        // A ts that went through a double has lost its trailing zeros.
        AssertRefused(await PostAsync(slack, new { channel = "C1", text = "x", thread_ts = double.Parse(root.Ts, CultureInfo.InvariantCulture) }), "thread_not_found");

        Assert.Equal([root.Ts, reply.Ts], slack.Messages("C1").Select(m => m.Ts));
    }

    [Fact]
    public async Task Updating_a_ts_the_channel_does_not_have_is_message_not_found()
    {
        await using var slack = await StartAsync("C1", "C2");
        var mine = await PostAsync(slack, new { channel = "C1", text = "mine" });
        var other = await PostAsync(slack, new { channel = "C2", text = "other" });

        AssertRefused(await UpdateAsync(slack, new { channel = "C1", ts = "1000000000.000100", text = "x" }), "message_not_found");
        AssertRefused(await UpdateAsync(slack, new { channel = "C1", ts = other.Ts, text = "x" }), "message_not_found");
        AssertRefused(await UpdateAsync(slack, new { channel = "C1", text = "x" }), "message_not_found");
        AssertRefused(await UpdateAsync(slack, new { channel = "C1", ts = mine.Ts.TrimEnd('0'), text = "x" }), "message_not_found");

        Assert.Equal(("mine", 0), (slack.Messages("C1")[0].Text, slack.Messages("C1")[0].Updates));
        Assert.Equal("other", slack.Messages("C2")[0].Text);
    }

    [Fact]
    public async Task Two_posts_at_once_to_one_channel_get_one_429_with_Retry_After_and_ratelimited()
    {
        await using var slack = await StartAsync("C1", "C2");
        slack.EnforcedInterval = TimeSpan.FromSeconds(10);

        var answers = await Task.WhenAll(
            PostAsync(slack, new { channel = "C1", text = "first" }),
            PostAsync(slack, new { channel = "C1", text = "second" }));

        var accepted = Assert.Single(answers, a => a.Status == HttpStatusCode.OK);
        Assert.True(accepted.Ok);
        var limited = Assert.Single(answers, a => a.Status == HttpStatusCode.TooManyRequests);
        Assert.False(limited.Ok);
        Assert.Equal("ratelimited", limited.Error);
        Assert.NotNull(limited.RetryAfter?.Delta);
        Assert.InRange(limited.RetryAfter!.Delta!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));

        // An update counts against the same pace; another channel has its own.
        var update = await UpdateAsync(slack, new { channel = "C1", ts = accepted.Ts, text = "changed" });
        Assert.Equal(HttpStatusCode.TooManyRequests, update.Status);
        Assert.True((await PostAsync(slack, new { channel = "C2", text = "elsewhere" })).Ok);

        Assert.Single(slack.Messages("C1"));
        Assert.Equal([200, 429, 429], slack.CallsTo("C1").Select(c => c.HttpStatus).Order());
        Assert.Equal(2, slack.CallsTo("C1").Count(c => c.Error == "ratelimited"));
    }

    [Fact]
    public async Task After_the_enforced_interval_a_channel_takes_a_post_again_and_refusals_do_not_count()
    {
        await using var slack = await StartAsync("C1");
        slack.EnforcedInterval = TimeSpan.FromMilliseconds(300);

        AssertRefused(await PostAsync(slack, new { channel = "C1" }), "no_text");
        Assert.True((await PostAsync(slack, new { channel = "C1", text = "first" })).Ok);
        var limited = await PostAsync(slack, new { channel = "C1", text = "too soon" });
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.Status);
        Assert.Equal(TimeSpan.FromSeconds(1), limited.RetryAfter?.Delta);

        // Time passing is what is tested: the stand-in enforces its interval on the real clock.
        await Task.Delay(350);

        Assert.True((await PostAsync(slack, new { channel = "C1", text = "later" })).Ok);
        Assert.Equal(["first", "later"], slack.Messages("C1").Select(m => m.Text));
    }

    [Fact]
    public async Task Scripted_replies_come_in_order_after_the_token_check_then_normal_handling()
    {
        await using var slack = await StartAsync("C1", "C2");
        slack.Script("C1", ApiReply.Error("internal_error"), ApiReply.RateLimited(7), ApiReply.HttpStatus(503, "{\"ok\":false,\"error\":\"service_unavailable\"}"),
            ApiReply.Error("fatal_error"));
        slack.Script("CUNKNOWN", ApiReply.Error("ratelimited"));
        var post = new { channel = "C1", text = "page" };

        AssertRefused(await PostAsync(slack, post, authorization: null), "not_authed");
        Assert.True((await PostAsync(slack, new { channel = "C2", text = "other" })).Ok);
        AssertRefused(await PostAsync(slack, post), "internal_error");
        var limited = await PostAsync(slack, post);
        var unavailable = await PostAsync(slack, post);
        AssertRefused(await UpdateAsync(slack, new { channel = "C1", ts = "1733340000.000100", text = "x" }), "fatal_error");
        var normal = await PostAsync(slack, post);
        AssertRefused(await PostAsync(slack, new { channel = "CUNKNOWN", text = "x" }), "ratelimited");
        AssertRefused(await PostAsync(slack, new { channel = "CUNKNOWN", text = "x" }), "channel_not_found");

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.Status);
        Assert.Equal(TimeSpan.FromSeconds(7), limited.RetryAfter?.Delta);
        Assert.Equal("ratelimited", limited.Error);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, unavailable.Status);
        Assert.Equal("service_unavailable", unavailable.Error);
        Assert.True(normal.Ok);
        Assert.Equal(normal.Ts, Assert.Single(slack.Messages("C1")).Ts);
        Assert.Equal(["not_authed", "internal_error", "ratelimited", "service_unavailable", "fatal_error", null],
            slack.CallsTo("C1").Select(c => c.Error));
    }

    [Fact]
    public async Task A_slow_reply_stores_the_message_on_arrival_and_a_hang_stores_nothing()
    {
        await using var slack = await StartAsync("C1");
        using var impatient = new HttpClient { Timeout = TimeSpan.FromMilliseconds(300) };
        slack.Script("C1", ApiReply.Slow(TimeSpan.FromMilliseconds(200)), ApiReply.Slow(TimeSpan.FromSeconds(30)), ApiReply.Hang(TimeSpan.FromSeconds(30)));

        var clock = Stopwatch.StartNew();
        Assert.True((await CallAsync(slack, SlackWebApiStandIn.ChatPostMessage, new { channel = "C1", text = "slow" })).Ok);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(150), $"answered after {clock.ElapsedMilliseconds} ms");
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            CallAsync(slack, SlackWebApiStandIn.ChatPostMessage, new { channel = "C1", text = "too slow" }, client: impatient));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            CallAsync(slack, SlackWebApiStandIn.ChatPostMessage, new { channel = "C1", text = "hung" }, client: impatient));

        Assert.Equal(["slow", "too slow"], slack.Messages("C1").Select(m => m.Text));
        var calls = slack.CallsTo("C1");
        Assert.Equal([true, true, false], calls.Select(c => c.Ok));
        Assert.Equal(0, calls[2].HttpStatus);
        Assert.Equal("", calls[2].AnswerBody);
    }

    [Fact]
    public async Task Render_shows_thread_replies_indented_under_their_root_with_broadcast_and_edit_markers()
    {
        await using var slack = await StartAsync("C1");
        var incident = await PostAsync(slack, new { channel = "C1", text = "*INC-1* api down\ndetails below" });
        var digest = await PostAsync(slack, new { channel = "C1", text = "digest " + new string('d', 200) });
        var reply = await PostAsync(slack, new { channel = "C1", text = "paged level 2", thread_ts = incident.Ts, reply_broadcast = true });
        var quiet = await PostAsync(slack, new { channel = "C1", text = "note", thread_ts = incident.Ts });
        await UpdateAsync(slack, new { channel = "C1", ts = incident.Ts, text = "*INC-1* api down: acknowledged" });

        var expected = $"""
            [{incident.Ts}] *INC-1* api down: acknowledged  (edited 1×)
                ↳ [{reply.Ts}] (also sent to channel) paged level 2
                ↳ [{quiet.Ts}] note
            [{digest.Ts}] digest {new string('d', 113)}…

            """;
        Assert.Equal(expected.ReplaceLineEndings("\n"), slack.Render("C1"));
        Assert.Equal("", slack.Render("C404"));
    }
}
