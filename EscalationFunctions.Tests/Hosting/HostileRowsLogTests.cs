using System.Text;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Support;

namespace EscalationFunctions.Tests.Hosting;

/// <summary>
/// Reference §6.1 outside the HTTP request pipeline: text written by other systems (incident keys,
/// titles, routes, severities) and Slack's answers (reason phrases, bodies, Retry-After) cannot start
/// a log line, carry a control character or make a line longer than <see cref="MaxLine"/>, in the
/// whole output of a real server process. Its console formatter (simple, single line) writes
/// "HH:mm:ss.fff level: category[id] message" and no tab, so no control character is allowed at all.
/// The process's output is read line by line, so a CR or LF a log line carried splits it, and the
/// part after it starts a line of its own: every hostile text puts a marker right after its breaks.
/// Bidi controls (U+202E...) count too: they can make a line read as other text than it holds.
/// </summary>
[Lane(TestLane.Process)]
public class HostileRowsLogTests(DatabaseFixture fixture) : SlackTest(fixture)
{
    private const int MaxLine = 2_000;
    private static readonly string[] Markers = ["INJECTED", "FAKE"];

    /// <summary>CR, LF, ESC sequences, other C0 and C1 controls, DEL, U+2028/U+2029, a tab and bidi overrides, with markers after each break.</summary>
    private const string Hostile =
        "\r\nINJECTED after CR LF \u001b[31mred\u001b[0m\u0007\u0008\u007f\u0085\u009b31m NEL CSI\u2028FAKE after LS\u2029FAKE after PS" +
        "\tTAB \u202eREVERSED\u202c\u200f\rFAKE after CR\nINJECTED after LF ";

    /// <summary>A reason phrase Kestrel sends as it is (the ASCII part of <see cref="Hostile"/>, no CR or LF, which would end the status line), and long.</summary>
    private static readonly string HostileReason = "Refused \u001b[31mred\u001b[0m\u0007\u0008\u007f\tTAB INJECTED " + new string('R', 3_000);

    /// <summary>A body: anything goes, and long.</summary>
    private static readonly string HostileBody = "invalid_payload" + Hostile + new string('B', 5_000);

    /// <summary>Not a valid Retry-After: Latin-1 (the stand-in's header encoding) lets C1 controls through; long.</summary>
    private static readonly string HostileRetryAfter = "\u009b31m\u0085INJECTED " + new string('9', 3_000);

    [Fact]
    public async Task Hostile_rows_quarantined_rows_a_misbehaving_Slack_and_megabyte_clicks_leave_every_line_of_the_servers_output_safe()
    {
        // Whatever the route, severity or title, one misbehaving webhook each; the global one takes the hostile routes.
        await Incidents.InsertAsync(Db, "FAKE-refused" + Hostile, "refusing", "warning" + Hostile, TimeSpan.FromHours(3), title: "Title" + Hostile);
        var longKey = ("FAKE-long" + Hostile + new string('L', 1_000))[..1_000];
        await Incidents.InsertAsync(Db, longKey, "refusing", "critical", TimeSpan.FromHours(3), title: new string('T', 5_000) + Hostile);
        await Incidents.InsertAsync(Db, "FAKE-limited" + Hostile, "limited", "warning", TimeSpan.FromHours(3), title: "Title" + Hostile);
        await Incidents.InsertAsync(Db, "FAKE-failing" + Hostile, "failing", "warning", TimeSpan.FromHours(3), title: "Title" + Hostile);
        await Incidents.InsertAsync(Db, "FAKE-global" + Hostile, "payments" + Hostile, "critical" + Hostile, TimeSpan.FromHours(3),
            title: "Title" + Hostile);
        Slack.SetDefault("refusing", Reply.Status(400, HostileBody) with { ReasonPhrase = HostileReason });
        Slack.Script("limited", Reply.RateLimited(HostileRetryAfter, HostileBody, HostileReason));
        Slack.SetDefault("failing", Reply.Status(503, HostileBody) with { ReasonPhrase = HostileReason, RetryAfter = HostileRetryAfter });

        // Quarantined: a key too wide for the events' index, and a data error whose message quotes the row's title.
        await Incidents.InsertAsync(Db, WideKey("FAKE-wide" + Hostile), "refusing", "warning", TimeSpan.FromHours(2));
        await Incidents.InsertAsync(Db, "FAKE-poison" + Hostile, "refusing", "warning", TimeSpan.FromHours(2), title: "POISON-DATA" + Hostile);
        // Fails the whole tick (not a data error), with the title in the message; the least overdue, so last in the tick.
        await Incidents.InsertAsync(Db, "FAKE-tick" + Hostile, "refusing", "warning", TimeSpan.FromMinutes(16),
            title: "POISON-TICK" + Hostile + new string('P', 5_000));
        await Db.ExecuteAsync(
            """
            CREATE FUNCTION test_refuse_titles() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.title LIKE 'POISON-DATA%' THEN
                    RAISE EXCEPTION 'refused by the test: %', NEW.title USING ERRCODE = 'invalid_parameter_value';
                ELSIF NEW.title LIKE 'POISON-TICK%' THEN
                    RAISE EXCEPTION 'refused by the test: %', NEW.title;
                END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER test_refuse_titles BEFORE INSERT ON notification_outbox FOR EACH ROW EXECUTE FUNCTION test_refuse_titles();
            """);
        try
        {
            var env = SettingsWithWebhooks(["refusing", "limited", "failing"], new()
            {
                [SettingNames.TickMs] = "300",
                [SettingNames.TickBatchSize] = "1",
                [SettingNames.SlackMaxAttempts] = "2",
                [SettingNames.SlackSigningSecret] = SlackClick.Secret,
                [SettingNames.SlackResponseUrlHosts] = "127.0.0.1",
            });
            await using var server = await ServerProcess.StartAsync(env);

            await Eventually.TrueAsync(async () =>
                    await Db.ScalarAsync<long>("SELECT count(*) FROM notification_outbox WHERE status <> 'pending'") == 5 &&
                    await Db.ScalarAsync<long>("SELECT count(*) FROM incidents WHERE quarantined_at IS NOT NULL") == 2 &&
                    server.Output.Contains("Tick failed", StringComparison.Ordinal),
                TimeSpan.FromSeconds(90), "every message sent or dead-lettered, two incidents quarantined, the failing tick logged");

            // Clicks whose value is a hostile key of about 1 MB (an unknown incident), and one on a hostile incident.
            Slack.SetDefault(SlackStandIn.ResponseUrlPrefix + "refused-answer", Reply.Status(404, HostileBody) with { ReasonPhrase = HostileReason });
            Slack.Script(SlackStandIn.ResponseUrlPrefix + "busy-answer", Reply.Status(503, HostileBody) with { ReasonPhrase = HostileReason });
            using var client = new HttpClient { BaseAddress = server.BaseUrl };
            await ClickAsync(client, "FAKE-click" + Hostile + new string('C', 1_000_000), Slack.ResponseUrl("ok-answer"));
            await ClickAsync(client, "FAKE-click-refused" + Hostile + new string('D', 1_000_000), Slack.ResponseUrl("refused-answer"));
            await ClickAsync(client, "FAKE-refused" + Hostile, Slack.ResponseUrl("busy-answer"));
            await Eventually.TrueAsync(async () => await Db.ScalarAsync<long>("SELECT count(*) FROM notification_outbox WHERE kind = 'click_answer' AND status <> 'pending'") == 3,
                TimeSpan.FromSeconds(60), "every response_url answer posted or dead");

            await server.StopAsync();
            var output = server.Output;
            Assert.True(Offences(output).Count == 0, string.Join('\n', Offences(output).Take(40)));

            // Each line still says what happened to which incident.
            var lines = output.Split('\n');
            Assert.Contains(lines, l => l.Contains("refused", StringComparison.Ordinal) && l.Contains(Escaped("FAKE-refused\r\nINJECTED")) &&
                                        l.Contains("HTTP 400", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.Contains("rate-limited", StringComparison.Ordinal) && l.Contains(Escaped("FAKE-limited\r\n")));
            Assert.Contains(lines, l => l.Contains("dead-lettered after 2 attempt(s)", StringComparison.Ordinal) && l.Contains(Escaped("FAKE-failing\r\n")) &&
                                        l.Contains("HTTP 503", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.Contains("quarantined:", StringComparison.Ordinal) && l.Contains(Escaped("FAKE-wide\r\n")));
            Assert.Contains(lines, l => l.Contains("quarantined:", StringComparison.Ordinal) && l.Contains(Escaped("FAKE-poison\r\n")) &&
                                        l.Contains("refused by the test: POISON-DATA", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.Contains("Tick failed", StringComparison.Ordinal) && l.Contains("refused by the test: POISON-TICK", StringComparison.Ordinal));
            // Click answers go through the same sender as pages: a refusal is one error line, a failure one warning line.
            Assert.Contains(lines, l => l.Contains("Slack click's response_url refused the answer to the click on " + Escaped("FAKE-click-refused\r\n"), StringComparison.Ordinal) &&
                                        l.Contains("HTTP 404", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.Contains("Slack answer to the click on " + Escaped("FAKE-refused\r\n"), StringComparison.Ordinal) &&
                                        l.Contains("HTTP 503", StringComparison.Ordinal));
        }
        finally
        {
            await Db.ExecuteAsync("DROP TRIGGER test_refuse_titles ON notification_outbox; DROP FUNCTION test_refuse_titles();");
        }
    }

    [Fact]
    public async Task Console_delivery_prints_hostile_rows_as_one_safe_line_each_naming_the_incident()
    {
        var longKey = ("FAKE-long" + Hostile + new string('L', 1_000))[..1_000];
        await Incidents.InsertAsync(Db, "FAKE-1" + Hostile, "payments" + Hostile, "critical" + Hostile, TimeSpan.FromHours(1), title: "Title" + Hostile);
        await Incidents.InsertAsync(Db, longKey, new string('r', 2_000) + Hostile, new string('s', 2_000), TimeSpan.FromHours(1),
            title: new string('T', 5_000) + Hostile);
        await Incidents.InsertAsync(Db, "FAKE-untitled" + Hostile, "ops", "warning", TimeSpan.FromHours(1), title: " ");
        await Incidents.InsertAsync(Db, "FAKE-cjk-" + Cjk(300), "ops", "warning", TimeSpan.FromHours(1)); // 900 bytes: a link of 2,700 characters
        await Incidents.InsertAsync(Db, "it's INC 1", "ops", "warning", TimeSpan.FromHours(1));

        await using var server = await ServerProcess.StartAsync(TestSettings.Environment(Db, overrides: new()
        {
            [SettingNames.TickMs] = "300",
            [SettingNames.SlackSigningSecret] = SlackClick.Secret,
        }));
        await Eventually.TrueAsync(async () => await Db.ScalarAsync<long>("SELECT count(*) FROM notification_outbox WHERE status = 'sent'") == 5,
            TimeSpan.FromSeconds(60), "every incident escalated and printed");
        await server.StopAsync();

        var output = server.Output;
        Assert.True(Offences(output).Count == 0, string.Join('\n', Offences(output).Take(40)));
        var lines = output.Split('\n').Where(l => l.Contains("Slack[3310]", StringComparison.Ordinal)).ToList();
        Assert.Contains(lines, l => l.Contains("#" + Escaped("payments\r\n"), StringComparison.Ordinal) && l.Contains(Escaped("Title\r\n")) &&
                                    l.Contains(Escaped("critical\r\n")));
        Assert.Contains(lines, l => l.Contains(Escaped(longKey[..40]), StringComparison.Ordinal) && l.Contains("TTTT", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains(": " + Escaped("FAKE-untitled\r\n"), StringComparison.Ordinal)); // no title: the key stands for it
        // A key that can be typed keeps its working command; one with control characters gets none that would act on another key.
        Assert.Contains(lines, l => l.EndsWith("acknowledge: ./scripts/ops-call.sh ack 'it'\\''s INC 1'", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("ops-call.sh ack 'FAKE-1", StringComparison.Ordinal));
    }

    private static async Task ClickAsync(HttpClient client, string key, Uri responseUrl)
    {
        using var request = SlackClick.Signed("/slack/interactions", SlackClick.FormBody(SlackClick.Payload(key, responseUrl)));
        using var response = await client.SendAsync(request);
        Assert.Equal(200, (int)response.StatusCode);
    }

    /// <summary>The lines of <paramref name="output"/> that break the rule, each with why, shown escaped.</summary>
    private static List<string> Offences(string output) =>
        output.Split('\n').Select((line, i) => Offence(line) is { } why ? $"line {i + 1}: {why}: {Show(line)}" : null).OfType<string>().ToList();

    private static string? Offence(string line)
    {
        if (line.Length > MaxLine)
        {
            return $"{line.Length} characters";
        }
        foreach (var c in line)
        {
            if (IsUnsafe(c))
            {
                return $"U+{(int)c:X4}";
            }
        }
        var start = line.TrimStart();
        return Markers.FirstOrDefault(m => start.StartsWith(m, StringComparison.Ordinal)) is { } marker ? $"starts with {marker}" : null;
    }

    /// <summary>A line as the failure message can show it: control characters as \uXXXX, cut.</summary>
    private static string Show(string line)
    {
        var shown = new StringBuilder();
        foreach (var c in line.Length > 300 ? line[..300] + "…" : line)
        {
            shown.Append(IsUnsafe(c) ? $"\\u{(int)c:x4}" : c);
        }
        return shown.ToString();
    }

    /// <summary>How a log line shows <paramref name="text"/>: each unsafe character as \uXXXX.</summary>
    private static string Escaped(string text) => string.Concat(text.Select(c => IsUnsafe(c) ? $"\\u{(int)c:x4}" : c.ToString()));

    /// <summary>What may not reach a log line as itself: controls, U+2028/U+2029 and the bidi controls.</summary>
    private static bool IsUnsafe(char c) =>
        char.IsControl(c) || c is '\u2028' or '\u2029' or '\u061c' or '\u200e' or '\u200f' or (>= '\u202a' and <= '\u202e') or (>= '\u2066' and <= '\u2069');

    private static string Cjk(int length)
    {
        var random = new Random(length);
        return new string(Enumerable.Range(0, length).Select(_ => (char)random.Next(0x4E00, 0x9FFF)).ToArray());
    }

    /// <summary>
    /// <paramref name="prefix"/> and random CJK (incompressible) to 2,690 UTF-8 bytes: fits the incidents key index, not the
    /// events' (incident_key, level) one, as in PoisonRowTests.
    /// </summary>
    private static string WideKey(string prefix)
    {
        var random = new Random(prefix.Length);
        var key = new StringBuilder(prefix);
        while (Encoding.UTF8.GetByteCount(key.ToString()) + 3 <= 2_690)
        {
            key.Append((char)random.Next(0x4E00, 0x9FFF));
        }
        key.Append('a', 2_690 - Encoding.UTF8.GetByteCount(key.ToString()));
        return key.ToString();
    }
}
