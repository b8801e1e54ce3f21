using System.Text.RegularExpressions;
using EscalationFunctions.Engine.Acknowledge;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Engine.Status;
using EscalationFunctions.Engine.Tick;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Support;
using Xunit.Abstractions;

namespace EscalationFunctions.Tests.Slack.App;

/// <summary>
/// Reference §10 in-process against the Web API stand-in: threads, rewrites after an acknowledgement or
/// a resolve, digests re-rendered, pages before rewrites.
/// </summary>
[Lane(TestLane.Database)]
public class SlackAppModeTests(DatabaseFixture fixture, ITestOutputHelper output) : SlackAppTest(fixture)
{
    private const string Payments = "C0PAYMENTS";

    private Dictionary<string, string> Settings(Dictionary<string, string>? overrides = null) =>
        AppSettings(new() { ["payments"] = Payments }, new(overrides ?? [])
        {
            [SettingNames.SnoozeMinutes] = "0", // an old incident is raised a level every tick
            [SettingNames.SlackSigningSecret] = SlackClick.Secret, // pages carry the Acknowledge button
        });

    private static async Task TickAndDeliverAsync(InProcessEngine engine)
    {
        await engine.Ticker.TickAsync();
        await engine.Dispatcher.DrainAsync(CancellationToken.None);
    }

    private Task<List<string>> DedupKeysOfAsync(string incidentKey) => Db.QueryAsync(
        "SELECT dedup_key FROM notification_outbox WHERE incident_key = @k AND kind = 'page' ORDER BY level", r => r.GetString(0), ("k", incidentKey));

    private ChannelMessage MessageOf(string channel, string dedupKey) => Assert.Single(Api.Messages(channel), m => m.DedupKeys.Contains(dedupKey));

    [Fact]
    public async Task An_incidents_first_page_starts_its_thread_and_each_later_level_replies_in_it_also_shown_in_the_channel()
    {
        await Incidents.InsertAsync(Db, "INC-T", "payments", "warning", TimeSpan.FromHours(5));
        await using var engine = InProcessEngine.Create(Settings());
        await TickAndDeliverAsync(engine);
        await Incidents.InsertAsync(Db, "INC-U", "payments", "warning", TimeSpan.FromHours(5));
        await TickAndDeliverAsync(engine);
        await TickAndDeliverAsync(engine);

        output.WriteLine(Api.Render(Payments));
        var t = (await DedupKeysOfAsync("INC-T")).Select(k => MessageOf(Payments, k)).ToList();
        Assert.Equal(3, t.Count);
        Assert.Null(t[0].ThreadTs);
        Assert.False(t[0].ReplyBroadcast);
        Assert.All(t.Skip(1), reply =>
        {
            Assert.Equal(t[0].Ts, reply.ThreadTs);
            Assert.True(reply.ReplyBroadcast);
        });
        var u = (await DedupKeysOfAsync("INC-U")).Select(k => MessageOf(Payments, k)).ToList();
        Assert.Equal(2, u.Count);
        Assert.Null(u[0].ThreadTs); // its own thread, not INC-T's
        Assert.Equal(u[0].Ts, u[1].ThreadTs);
        Assert.Empty(Api.Messages(GlobalChannel));

        // What was posted is remembered as Slack returned it, with the thread and the incident.
        var stored = await Db.QueryAsync(
            """
            SELECT m.ts, m.thread_ts, m.channel, mi.incident_key, mi.shown_as FROM slack_messages m
            JOIN slack_message_incidents mi ON mi.message_id = m.id ORDER BY m.id
            """, r => (Ts: r.GetString(0), Thread: r.IsDBNull(1) ? null : r.GetString(1), Channel: r.GetString(2), Key: r.GetString(3), Shown: r.GetString(4)));
        Assert.Equal(Api.Messages(Payments).Select(m => (m.Ts, m.ThreadTs)).OrderBy(x => x.Ts, StringComparer.Ordinal),
            stored.Select(s => (s.Ts, s.Thread)).OrderBy(x => x.Ts, StringComparer.Ordinal));
        Assert.All(stored, s => Assert.Equal((Payments, "open"), (s.Channel, s.Shown)));

        // Each call names its escalation in metadata, not in a header or the JSON's top level.
        var posts = Api.CallsTo(Payments).Where(c => c.Ok).ToList();
        Assert.All(posts, c =>
        {
            Assert.Equal(SlackWebApiStandIn.ChatPostMessage, c.Method);
            Assert.Equal(SlackWebApiStandIn.DefaultToken, c.Token);
            Assert.Single(c.DedupKeys);
            Assert.False(c.Json.TryGetProperty("dedup_key", out _));
        });
    }

    public static TheoryData<string> AckPaths => ["the acknowledger (ops API and Slack click)", "another system's SQL", "SQL naming nobody"];

    [Theory]
    [MemberData(nameof(AckPaths))]
    public async Task The_tick_after_an_acknowledgement_rewrites_every_message_of_the_incident_without_its_button(string path)
    {
        await Incidents.InsertAsync(Db, "INC-A", "payments", "warning", TimeSpan.FromHours(5));
        await Incidents.InsertAsync(Db, "INC-OPEN", "payments", "warning", TimeSpan.FromHours(5));
        await using var engine = InProcessEngine.Create(Settings());
        await TickAndDeliverAsync(engine);
        await TickAndDeliverAsync(engine);
        var before = (await DedupKeysOfAsync("INC-A")).Select(k => MessageOf(Payments, k)).ToList();
        Assert.All(before, m => Assert.Contains("\"action_id\":\"ack\"", m.BlocksJson));

        switch (path)
        {
            case "the acknowledger (ops API and Slack click)":
                Assert.NotNull(await engine.Get<IncidentAcknowledger>().AcknowledgeAsync("INC-A", "alice", CancellationToken.None));
                break;
            case "another system's SQL":
                await Db.ExecuteAsync("UPDATE incidents SET acknowledged_at = now(), acknowledged_by = 'bob <@U123>' WHERE incident_key = 'INC-A'");
                break;
            default:
                await Db.ExecuteAsync("UPDATE incidents SET acknowledged_at = now() WHERE incident_key = 'INC-A'");
                break;
        }
        var postsBefore = Api.CallsTo(Payments).Count(c => c.Method == SlackWebApiStandIn.ChatPostMessage);
        await TickAndDeliverAsync(engine);

        output.WriteLine(Api.Render(Payments));
        var after = (await DedupKeysOfAsync("INC-A")).Select(k => MessageOf(Payments, k)).ToList();
        Assert.Equal(2, after.Count);
        var expected = path switch
        {
            "the acknowledger (ops API and Slack click)" => "Acknowledged by alice at ",
            "another system's SQL" => "Acknowledged by bob &lt;@U123&gt; at ", // another system's text is escaped, so it mentions nobody
            _ => "Acknowledged at ",
        };
        Assert.All(after, m =>
        {
            Assert.Equal(1, m.Updates);
            Assert.Contains(expected, m.Text);
            Assert.Contains(expected, Regex.Unescape(m.BlocksJson));
            Assert.DoesNotContain("\"action_id\":\"ack\"", m.BlocksJson);
            Assert.Contains("open_incident", m.BlocksJson);
        });
        Assert.Equal(before.Select(m => (m.Ts, m.ThreadTs)), after.Select(m => (m.Ts, m.ThreadTs)));
        // The other incident's messages are left alone, and its next level still pages (in its own thread).
        Assert.All((await DedupKeysOfAsync("INC-OPEN")).Take(2).Select(k => MessageOf(Payments, k)), m => Assert.Equal(0, m.Updates));
        Assert.Equal(postsBefore + 1, Api.CallsTo(Payments).Count(c => c.Method == SlackWebApiStandIn.ChatPostMessage));

        // Shown closed now: later ticks queue no more rewrites.
        await TickAndDeliverAsync(engine);
        Assert.Equal(2, Api.CallsTo(Payments).Count(c => c.Method == SlackWebApiStandIn.ChatUpdate));
        Assert.Equal(0, await Db.ScalarAsync<long>("SELECT count(*) FROM slack_message_incidents WHERE incident_key = 'INC-A' AND shown_as = 'open'"));
    }

    [Fact]
    public async Task A_resolved_incidents_messages_say_when_it_was_resolved()
    {
        await Incidents.InsertAsync(Db, "INC-R", "elsewhere", "critical", TimeSpan.FromHours(5));
        await using var engine = InProcessEngine.Create(Settings());
        await TickAndDeliverAsync(engine);
        await Db.ExecuteAsync("UPDATE incidents SET resolved_at = '2026-12-04 10:07:30+00' WHERE incident_key = 'INC-R'");
        await TickAndDeliverAsync(engine);

        var message = MessageOf(GlobalChannel, (await DedupKeysOfAsync("INC-R")).Single());
        Assert.Equal(1, message.Updates);
        Assert.Contains("Resolved at 2026-12-04 10:07 UTC", message.Text);
        Assert.DoesNotContain("\"action_id\":\"ack\"", message.BlocksJson);
    }

    [Fact]
    public async Task A_digest_is_top_level_and_many_changes_to_it_fold_into_one_rewrite_marking_those_members_only()
    {
        await Incidents.InsertDueAsync(Db, 5, _ => "payments");
        await using var engine = InProcessEngine.Create(Settings(new() { [SettingNames.SlackDigestThreshold] = "2" }));
        await TickAndDeliverAsync(engine);
        var digest = Assert.Single(Api.Messages(Payments));
        Assert.Null(digest.ThreadTs);
        Assert.Equal(5, digest.DedupKeys.Count);

        // Two changes, two ticks, one delivery: the rewrites fold into one.
        await Db.ExecuteAsync("UPDATE incidents SET acknowledged_at = now(), acknowledged_by = 'alice' WHERE incident_key = 'INC-0'");
        await engine.Ticker.TickAsync();
        await Db.ExecuteAsync("UPDATE incidents SET resolved_at = now() WHERE incident_key = 'INC-3'");
        await engine.Ticker.TickAsync();
        Assert.Equal(2, await Db.ScalarAsync<long>("SELECT count(*) FROM notification_outbox WHERE kind = 'message_update'"));
        await engine.Dispatcher.DrainAsync(CancellationToken.None);

        output.WriteLine(Api.Render(Payments));
        var update = Assert.Single(Api.CallsTo(Payments), c => c.Method == SlackWebApiStandIn.ChatUpdate);
        Assert.True(update.Ok);
        digest = Assert.Single(Api.Messages(Payments));
        Assert.Equal(1, digest.Updates);
        Assert.Contains("3 of 5 escalations not acknowledged", digest.BlocksJson);
        Assert.Contains("Acknowledged by alice at", digest.BlocksJson);
        Assert.Contains("Resolved at", digest.BlocksJson);
        // The open members keep their buttons; the closed ones lose theirs.
        Assert.Equal(3, digest.BlocksJson.Split("\"action_id\":\"ack\"").Length - 1);
        Assert.Equal(["sent", "superseded"], await Db.QueryAsync(
            "SELECT status FROM notification_outbox WHERE kind = 'message_update' ORDER BY status", r => r.GetString(0)));
    }

    [Fact]
    public async Task In_a_channels_lane_the_waiting_pages_go_before_the_rewrites()
    {
        await Incidents.InsertAsync(Db, "INC-FIRST", "payments", "warning", TimeSpan.FromMinutes(16));
        await using var engine = InProcessEngine.Create(Settings());
        await TickAndDeliverAsync(engine);
        await Db.ExecuteAsync("UPDATE incidents SET acknowledged_at = now() WHERE incident_key = 'INC-FIRST'");
        await Incidents.InsertDueAsync(Db, 3, _ => "payments", prefix: "NEW");

        await TickAndDeliverAsync(engine); // queues three pages and one rewrite

        Assert.Equal([SlackWebApiStandIn.ChatPostMessage, SlackWebApiStandIn.ChatPostMessage, SlackWebApiStandIn.ChatPostMessage,
                SlackWebApiStandIn.ChatPostMessage, SlackWebApiStandIn.ChatUpdate],
            Api.CallsTo(Payments).Where(c => c.Ok).Select(c => c.Method));
    }

    [Fact]
    public async Task Health_shows_no_auth_failure_in_webhook_mode_or_while_the_token_works()
    {
        await Incidents.InsertAsync(Db, "INC-H", "payments", "warning", TimeSpan.FromMinutes(16));
        await using var engine = InProcessEngine.Create(Settings());
        await TickAndDeliverAsync(engine);
        Assert.False((await engine.Get<WorkerStatusReader>().ReadAsync(CancellationToken.None)).SlackAuthFailing);
        Assert.Single(Api.Messages(Payments));
    }
}
