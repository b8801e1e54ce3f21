using System.Text.Json;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Support;

namespace EscalationFunctions.Tests.Cli;

/// <summary>
/// <c>status</c> against a database a real tick wrote to: open incidents with level and next due
/// time, recent escalations and their Slack state, pending and dead messages, quarantined
/// incidents, each instance's tick.
/// </summary>
[Lane(TestLane.Process)]
public class StatusCommandTests(DatabaseFixture fixture) : DatabaseTest(fixture)
{
    private const string Apostrophes = "Payments' gateway isn't answering";

    [Fact]
    public async Task Json_reports_what_is_open_what_escalated_what_waits_and_each_instance()
    {
        await SeedAsync();

        var report = await StatusJsonAsync("--json");

        var open = report.GetProperty("openIncidents");
        Assert.Equal(3, open.GetProperty("count").GetInt64());
        var shown = open.GetProperty("shown").EnumerateArray().ToDictionary(i => i.GetProperty("incidentKey").GetString()!);
        Assert.Equal(1, shown["PAY-1"].GetProperty("level").GetInt32());
        Assert.Equal(JsonValueKind.String, shown["PAY-1"].GetProperty("nextDueAt").ValueKind);
        Assert.Equal(0, shown["NEW-1"].GetProperty("level").GetInt32());
        Assert.Equal(Apostrophes, shown["PAY-1"].GetProperty("title").GetString());
        Assert.False(shown.ContainsKey("ACK-1"));

        var escalations = report.GetProperty("escalations");
        Assert.Equal(24, escalations.GetProperty("hours").GetInt32());
        Assert.Equal(2, escalations.GetProperty("count").GetInt64());
        var slack = escalations.GetProperty("shown").EnumerateArray()
            .ToDictionary(e => e.GetProperty("incidentKey").GetString()!, e => e.GetProperty("slack").GetString());
        Assert.Equal("dead", slack["PAY-1"]);
        Assert.Equal("pending", slack["OPS-1"]);

        var messages = report.GetProperty("messages");
        Assert.Equal(1, messages.GetProperty("pending").GetInt64());
        Assert.Equal(1, messages.GetProperty("dead").GetInt64());
        var dead = Assert.Single(messages.GetProperty("deadShown").EnumerateArray());
        Assert.Equal("PAY-1", dead.GetProperty("incidentKey").GetString());
        Assert.Equal("404 no_service", dead.GetProperty("lastError").GetString());

        var instance = Assert.Single(report.GetProperty("instances").EnumerateArray());
        Assert.Equal("status-test", instance.GetProperty("instanceId").GetString());
        Assert.Equal("ran", instance.GetProperty("outcome").GetString(), ignoreCase: true); // as the tick recorded it
    }

    [Fact]
    public async Task Click_answers_are_in_the_same_counts_and_dead_list_as_pages()
    {
        await SeedAsync();
        await Db.ExecuteAsync(
            """
            INSERT INTO notification_outbox (kind, incident_key, body, status, attempts, last_error, dead_at)
            VALUES ('click_answer', 'ACK-1', '{}', 'dead', 1, 'HTTP 410 Gone', now());
            INSERT INTO notification_outbox (kind, incident_key, destination, body, next_attempt_at, expires_at)
            VALUES ('click_answer', 'ACK-1', 'https://hooks.slack.com/actions/T0/1/x', '{}', now() + interval '1 hour', now() + interval '30 minutes');
            """);

        var report = await StatusJsonAsync("--json");
        var messages = report.GetProperty("messages");
        Assert.Equal(2, messages.GetProperty("pending").GetInt64());
        Assert.Equal(2, messages.GetProperty("dead").GetInt64());
        var answer = Assert.Single(messages.GetProperty("deadShown").EnumerateArray(), d => d.GetProperty("kind").GetString() == "click_answer");
        Assert.Equal(JsonValueKind.Null, answer.GetProperty("level").ValueKind);

        var (exit, stdout, _) = await ServerProcess.RunToExitAsync(Env(), ["status"]);
        Assert.Equal(0, exit);
        Assert.Contains("Slack messages: 2 pending", stdout);
        Assert.Matches(@"(?m)^\s+\S+ \S+ UTC\s+click_answer\s+ACK-1\s+-\s+-\s+1\s+HTTP 410 Gone$", stdout);
    }

    [Fact]
    public async Task The_table_shows_the_same_for_a_person()
    {
        await SeedAsync();

        var (exit, stdout, _) = await ServerProcess.RunToExitAsync(Env(), ["status"]);

        Assert.Equal(0, exit);
        Assert.Contains("Open incidents: 3", stdout);
        Assert.Matches(@"(?m)^\s+PAY-1\s+payments\s+critical\s+1\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(in \d+ min\)\s+Payments' gateway", stdout);
        Assert.Contains("Escalations in the last 24 h: 2", stdout);
        Assert.Matches(@"(?m)^\s+\S+ \S+ UTC\s+OPS-1\s+1\s+ops\s+warning\s+pending$", stdout);
        Assert.Contains("Slack messages: 1 pending", stdout);
        Assert.Contains("1 dead", stdout);
        Assert.Matches(@"(?m)^\s+\S+ \S+ UTC\s+page\s+PAY-1\s+1\s+payments\s+1\s+404 no_service$", stdout);
        Assert.Matches(@"(?mi)^\s+status-test\s+\S+ \S+ UTC \(\d+ s ago\)\s+ran\s+escalating, every route$", stdout);
    }

    [Fact]
    public async Task Hours_and_limit_bound_the_lists_but_not_the_counts()
    {
        await SeedAsync();
        // An escalation recorded three hours ago (the event of a level an incident reached earlier).
        await Db.ExecuteAsync(
            "INSERT INTO escalation_events (incident_key, level, unique_hash, created_at) VALUES ('OLD-1', 1, escalation_hash('OLD-1', 1), now() - interval '3 hours')");

        Assert.Equal(2, (await StatusJsonAsync("--json", "--hours", "2")).GetProperty("escalations").GetProperty("count").GetInt64());
        var wider = await StatusJsonAsync("--json", "--hours", "4", "--limit", "1");
        Assert.Equal(3, wider.GetProperty("escalations").GetProperty("count").GetInt64());
        Assert.Single(wider.GetProperty("escalations").GetProperty("shown").EnumerateArray());
        Assert.Equal(3, wider.GetProperty("openIncidents").GetProperty("count").GetInt64());
        Assert.Single(wider.GetProperty("openIncidents").GetProperty("shown").EnumerateArray());
    }

    [Fact]
    public async Task An_empty_database_is_a_short_report_not_an_error()
    {
        var (exit, stdout, _) = await ServerProcess.RunToExitAsync(Env(), ["status"]);

        Assert.Equal(0, exit);
        Assert.Contains("Open incidents: 0", stdout);
        Assert.Contains("Slack messages: 0 pending, 0 dead", stdout);
        Assert.Contains("Quarantined incidents: 0", stdout);
        Assert.Contains("no instance has completed a tick yet", stdout);
    }

    [Fact]
    public async Task Quarantined_incidents_are_listed_with_their_error_in_both_forms()
    {
        await SeedAsync();
        // As the tick marks a poison row (reference §3.1); an UPDATE that sets quarantined_at keeps it.
        await Db.ExecuteAsync(
            "UPDATE incidents SET quarantined_at = now(), quarantine_error = '54000: index row size 2712 exceeds maximum' WHERE incident_key = 'NEW-1'");

        var quarantined = (await StatusJsonAsync("--json")).GetProperty("quarantined");
        Assert.Equal(1, quarantined.GetProperty("count").GetInt64());
        var row = Assert.Single(quarantined.GetProperty("shown").EnumerateArray());
        Assert.Equal("NEW-1", row.GetProperty("incidentKey").GetString());
        Assert.Equal("54000: index row size 2712 exceeds maximum", row.GetProperty("error").GetString());

        var (exit, stdout, _) = await ServerProcess.RunToExitAsync(Env(), ["status"]);
        Assert.Equal(0, exit);
        Assert.Contains("Quarantined incidents: 1 (skipped by every tick until the row is updated; runbook section 7)", stdout);
        Assert.Matches(@"(?m)^\s+\S+ \S+ UTC\s+NEW-1\s+search\s+0\s+54000: index row size 2712 exceeds maximum$", stdout);
    }

    [Fact]
    public async Task A_superseded_message_is_its_own_state_and_count_neither_pending_nor_dead_in_both_forms()
    {
        await SeedAsync();
        // OPS-1 acknowledged before its message was posted: the sender set the message aside (reference §5.6).
        await Db.ExecuteAsync("UPDATE incidents SET acknowledged_at = now() WHERE incident_key = 'OPS-1'");
        await Db.ExecuteAsync("UPDATE notification_outbox SET status = 'superseded', superseded_at = now() WHERE incident_key = 'OPS-1'");

        var report = await StatusJsonAsync("--json");
        var messages = report.GetProperty("messages");
        Assert.Equal((0L, 1L, 1L), (messages.GetProperty("pending").GetInt64(), messages.GetProperty("dead").GetInt64(),
            messages.GetProperty("superseded").GetInt64()));
        Assert.Equal(JsonValueKind.Null, messages.GetProperty("oldestPendingAt").ValueKind);
        var slack = report.GetProperty("escalations").GetProperty("shown").EnumerateArray()
            .ToDictionary(e => e.GetProperty("incidentKey").GetString()!, e => e.GetProperty("slack").GetString());
        Assert.Equal("superseded", slack["OPS-1"]);

        var (exit, stdout, _) = await ServerProcess.RunToExitAsync(Env(), ["status", "--hours", "6"]);
        Assert.Equal(0, exit);
        Assert.Contains("Slack messages: 0 pending, 1 dead, 1 superseded in the last 6 h (acknowledged or resolved before their post)", stdout);
        Assert.Matches(@"(?m)^\s+\S+ \S+ UTC\s+OPS-1\s+1\s+ops\s+warning\s+superseded$", stdout);
    }

    public static TheoryData<string, string, string, string> Gates => new()
    {
        { SettingNames.CanaryPercent, "0", "route outside the canary (ESC_CANARY_PCT 0)", "escalating, canary 0% of routes" },
        { SettingNames.DryRun, "true", "dry run: reported, not paged (ESC_DRY_RUN=true)", "dry run (ESC_DRY_RUN=true)" },
        { SettingNames.PauseCron, "* * * * *", "paused until ", "paused until " },
        { SettingNames.V1, "false", "escalation is off (ESCALATION_V1=false)", "escalating nothing (ESCALATION_V1=false)" },
    };

    [Theory]
    [MemberData(nameof(Gates))]
    public async Task Each_overdue_incident_says_why_the_last_tick_did_not_page_it_and_each_instance_its_mode(
        string setting, string value, string reason, string mode)
    {
        await Incidents.InsertAsync(Db, "LATE-1", "payments", "critical", TimeSpan.FromMinutes(6));
        await Incidents.InsertAsync(Db, "POISON-1", "payments", "critical", TimeSpan.FromMinutes(6));
        await Db.ExecuteAsync("UPDATE incidents SET quarantined_at = now(), quarantine_error = 'test' WHERE incident_key = 'POISON-1'");
        await using (var engine = InProcessEngine.Create(TestSettings.Environment(Db, overrides: new() { [setting] = value }), instanceId: "gated"))
        {
            Assert.Equal(0, (await engine.Ticker.TickAsync()).Escalations);
        }
        await Db.ExecuteAsync(
            """
            INSERT INTO escalation_ticks (instance_id, last_completed_at, last_result)
            VALUES ('long-gone', now() - interval '2 hours', '{"outcome":"ran","canaryPct":100}')
            """);

        var report = await StatusJsonAsync("--json");
        var table = await StatusTextAsync();

        var overdue = report.GetProperty("overdue");
        Assert.Equal(2, overdue.GetProperty("count").GetInt64());
        var why = overdue.GetProperty("shown").EnumerateArray().ToDictionary(o => o.GetProperty("incidentKey").GetString()!, o => o.GetProperty("reason").GetString()!);
        Assert.StartsWith(reason, why["LATE-1"]);
        Assert.StartsWith("quarantined as a poison row", why["POISON-1"]);
        var instance = Assert.Single(report.GetProperty("instances").EnumerateArray());
        Assert.StartsWith(mode, instance.GetProperty("mode").GetString());
        Assert.Equal(1, report.GetProperty("olderInstances").GetInt64());
        Assert.Contains("WHY NOT PAGED", table);
        Assert.Contains(reason, table);
        Assert.Contains("Instances that ticked in the last hour: 1 (1 more last ticked earlier: gone, or stopped)", table);
        Assert.DoesNotContain("long-gone", table);
    }

    [Fact]
    public async Task A_pending_message_whose_post_failed_shows_its_error_and_next_try()
    {
        await SeedAsync();
        await Db.ExecuteAsync(
            "UPDATE notification_outbox SET attempts = 2, last_error = 'HTTP 503 Service Unavailable', next_attempt_at = now() + interval '5 minutes' WHERE incident_key = 'OPS-1'");

        var failing = Assert.Single((await StatusJsonAsync("--json")).GetProperty("failing").EnumerateArray());

        Assert.Equal("OPS-1", failing.GetProperty("incidentKey").GetString());
        Assert.Equal("HTTP 503 Service Unavailable", failing.GetProperty("lastError").GetString());
        Assert.Equal(2, failing.GetProperty("attempts").GetInt32());
        Assert.Contains("HTTP 503 Service Unavailable", await StatusTextAsync());
    }

    [Fact]
    public async Task Status_only_reads()
    {
        await SeedAsync();
        var before = await Db.SnapshotAsync();

        await StatusJsonAsync("--json");

        Assert.Equal(before, await Db.SnapshotAsync());
    }

    /// <summary>
    /// Two overdue incidents escalated by a real tick (their messages queued), one of them then
    /// dead-lettered as the sender does on Slack's 404; one incident not yet due; one acknowledged.
    /// </summary>
    private async Task SeedAsync()
    {
        await Incidents.InsertAsync(Db, "PAY-1", "payments", "critical", TimeSpan.FromMinutes(6), Apostrophes);
        await Incidents.InsertAsync(Db, "OPS-1", "ops", "warning", TimeSpan.FromMinutes(16));
        await Incidents.InsertAsync(Db, "NEW-1", "search", "critical", TimeSpan.FromMinutes(1));
        await Incidents.InsertAsync(Db, "ACK-1", "search", "critical", TimeSpan.FromMinutes(30));
        await Db.ExecuteAsync("UPDATE incidents SET acknowledged_at = now() WHERE incident_key = 'ACK-1'");
        await using (var engine = InProcessEngine.Create(TestSettings.Environment(Db), instanceId: "status-test"))
        {
            Assert.Equal(2, (await engine.Ticker.TickAsync()).Escalations);
        }
        await Db.ExecuteAsync("UPDATE notification_outbox SET status = 'dead', attempts = 1, last_error = '404 no_service' WHERE incident_key = 'PAY-1'");
    }

    private Dictionary<string, string> Env() => new() { [SettingNames.PostgresConnectionString] = Db.ConnectionString };

    private async Task<string> StatusTextAsync()
    {
        var (exit, stdout, stderr) = await ServerProcess.RunToExitAsync(Env(), ["status"]);
        Assert.True(exit == 0, $"status exited {exit}: {stderr}");
        return stdout;
    }

    private async Task<JsonElement> StatusJsonAsync(params string[] options)
    {
        var (exit, stdout, stderr) = await ServerProcess.RunToExitAsync(Env(), ["status", .. options]);
        Assert.True(exit == 0, $"status exited {exit}: {stderr}");
        return JsonDocument.Parse(stdout).RootElement;
    }
}
