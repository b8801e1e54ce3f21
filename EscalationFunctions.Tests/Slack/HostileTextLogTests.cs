using System.Net;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Engine.Slack.Delivery;
using EscalationFunctions.Engine.Slack.Messages;
using EscalationFunctions.Engine.Slack.Outbox;
using EscalationFunctions.Engine.Slack.Transports;
using EscalationFunctions.Hosting;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace EscalationFunctions.Tests.Slack;

/// <summary>
/// Reference §6.1, piece by piece: what the Slack sender, the console transport and the click-answer
/// sender log of another system's text (keys, titles, routes) and of an answering server's text
/// (reason phrase, body) is one short escaped line that still names the incident. The whole
/// server's output under the same inputs is <c>Hosting/HostileRowsLogTests</c>.
/// </summary>
[Lane(TestLane.Unit)]
public class HostileTextLogTests
{
    /// <summary>A key another system wrote, or a click's value: line breaks, ESC, U+2028, a tab, then a megabyte.</summary>
    internal static readonly string HugeKey = "FAKE-key\r\nINJECTED \u001b[31mred\u2028FAKE\ttab" + new string('K', 1_000_000);

    internal static void AssertOneSafeLine(string line, int maxLength)
    {
        Assert.True(line.Length <= maxLength, $"{line.Length} characters");
        Assert.DoesNotContain(line, c => char.IsControl(c) || c is '\u2028' or '\u2029');
    }

    private static EscalationSettings Settings() => TestSettings.Read(TestSettings.Deployment("Host=127.0.0.1;Database=esc;Username=esc",
        new Dictionary<string, string> { [SettingNames.SlackWebhookUrl] = "https://hooks.slack.com/services/T0/B0/x" }));

    private static OutboxNotification Notification(string key, string route = "payments", string severity = "critical", string title = "DB down") =>
        new(1, new string('d', 64), key, 1, route, severity, title, 0);

    [Fact]
    public void A_message_names_a_megabyte_key_in_one_short_escaped_line()
    {
        var single = new SlackMessage([Notification(HugeKey)], "d", "{}").Describe();
        var digest = new SlackMessage([Notification(HugeKey), Notification("INC-2")], "d", "{}").Describe();

        AssertOneSafeLine(single, 300);
        AssertOneSafeLine(digest, 300);
        Assert.StartsWith("message for FAKE-key\\u000d\\u000aINJECTED \\u001b[31mred\\u2028FAKE\\u0009tabKKK", single);
        Assert.EndsWith("… level 1", single);
        Assert.StartsWith("digest of 2 escalations (FAKE-key\\u000d\\u000aINJECTED", digest);
        Assert.Equal("message for INC-1 level 1", new SlackMessage([Notification("INC-1")], "d", "{}").Describe());
    }

    [Theory]
    [InlineData(400)]
    [InlineData(503)]
    public async Task A_webhooks_answer_is_kept_escaped_and_cut_whatever_its_reason_phrase_and_body_hold(int status)
    {
        // HttpClient refuses CR and LF in a reason phrase; everything else a server sends reaches it.
        var reason = "Refused \u001b[31mred\u0007\u007f\tINJECTED " + new string('R', 5_000);
        var body = "invalid_payload\r\nINJECTED \u001b[31m\u2028FAKE\u0085" + new string('B', 1_000_000);
        using var http = new HttpClient(new AnsweringHandler(() => new HttpResponseMessage((HttpStatusCode)status)
        {
            ReasonPhrase = reason,
            Content = new StringContent(body),
        }));
        var transport = new SlackWebhookTransport(http, Settings(), new FakeTimeProvider());

        var result = await transport.PostAsync(new SlackWebhook(new Uri("https://hooks.slack.com/services/T0/B0/x"), "global"),
            new SlackMessage([Notification("INC-1")], "d", "{}"), CancellationToken.None);

        AssertOneSafeLine(result.Error!, 320);
        Assert.StartsWith($"HTTP {status} Refused \\u001b[31mred\\u0007\\u007f\\u0009INJECTED RRR", result.Error);
        Assert.Contains("…: invalid_payload\\u000d\\u000aINJECTED \\u001b[31m\\u2028FAKE\\u0085BBB", result.Error);
        Assert.EndsWith("…", result.Error);
    }

    [Fact]
    public async Task A_console_line_shows_a_hostile_row_escaped_and_cut_and_no_command_that_would_act_on_another_key()
    {
        var logs = new FakeLogCollector();
        var transport = new SlackConsoleTransport(Settings(), RepositoryScripts.AckCommand, new LoggerFactory([new FakeLoggerProvider(logs)]));
        var hostile = "\r\nINJECTED \u001b[31m\u2028FAKE\t";

        await transport.PostAsync(new PlannedLane(new SlackWebhook(null, "console"), "console", []), new SlackMessage(
            [Notification(HugeKey, "payments" + hostile + new string('r', 5_000), "critical" + hostile + new string('s', 5_000),
                "DB down" + hostile + new string('t', 5_000))], "d", "{}"), CancellationToken.None);

        var line = Assert.Single(logs.Lines);
        AssertOneSafeLine(line, 2_000);
        Assert.Contains("#payments\\u000d\\u000aINJECTED \\u001b[31m\\u2028FAKE\\u0009rrr", line);
        Assert.Contains(": level 1: DB down\\u000d\\u000aINJECTED", line);
        Assert.Contains("(critical\\u000d\\u000aINJECTED", line);
        Assert.Contains("https://escalation.example.test/incidents/FAKE-key%0D%0AINJECTED%20%1B%5B31mred%E2%80%A8FAKE%09tabKKK", line);
        Assert.Contains("acknowledge: no command printed for key FAKE-key\\u000d\\u000aINJECTED", line);
        Assert.DoesNotContain("ops-call.sh", line);
    }

    private sealed class AnsweringHandler(Func<HttpResponseMessage> answer) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(answer());
    }
}

/// <summary>
/// The sender names the incident of a click answer whose key is hostile and as long as a key can be,
/// and the response_url's refusal, in one short escaped line; the stored error is as short.
/// </summary>
[Lane(TestLane.Database)]
public class ClickAnswerLogTests(DatabaseFixture fixture) : SlackTest(fixture)
{
    [Theory]
    [InlineData(404, "refused the answer to the click on FAKE-key\\u000d\\u000aINJECTED \\u001b[31mred\\u2028FAKE\\u0009tabKKK", "dead-lettered: HTTP 404 Gone \\u001b[31mINJECTED")]
    [InlineData(500, "answer to the click on FAKE-key\\u000d\\u000aINJECTED \\u001b[31mred\\u2028FAKE\\u0009tabKKK", "failed (attempt 1 of 12): HTTP 500 Gone \\u001b[31mINJECTED")]
    public async Task The_line_about_a_hostile_key_is_short_and_names_the_incident(int status, string names, string says)
    {
        Slack.SetDefault(SlackStandIn.ResponseUrlPrefix + "answer",
            Reply.Status(status, "no_text") with { ReasonPhrase = "Gone \u001b[31mINJECTED " + new string('R', 5_000) });
        await Db.ExecuteAsync("INSERT INTO notification_outbox (kind, incident_key, destination, body) VALUES ('click_answer', @k, @u, '{}')",
            ("k", HostileTextLogTests.HugeKey[..1_000]), ("u", Slack.ResponseUrl("answer").AbsoluteUri));
        // The suite's 50 ms retry base would let a slow drain try the 500 again and log a second line:
        // one attempt is what this test is about.
        await using var engine = InProcessEngine.Create(TestSettings.Environment(Db, Slack, new()
        {
            [SettingNames.SlackResponseUrlHosts] = "127.0.0.1",
            [SettingNames.SlackRetryBaseMs] = "60000",
        }));

        await engine.Get<NotificationDispatcher>().DrainAsync(CancellationToken.None);

        var line = Assert.Single(engine.Logs.Lines, l => l.Contains("click's response_url", StringComparison.Ordinal));
        HostileTextLogTests.AssertOneSafeLine(line, 600);
        Assert.Contains(names, line);
        Assert.Contains(says, line);
        var stored = await Db.ScalarAsync<string>("SELECT last_error FROM notification_outbox");
        HostileTextLogTests.AssertOneSafeLine(stored, 320);
    }
}
