using System.Text.RegularExpressions;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Support;

namespace EscalationFunctions.Tests.Docs;

/// <summary>Every SQL block of the operator docs runs as written against the worker's schema and finds what it says.</summary>
[Lane(TestLane.Database)]
public partial class RunbookTests(DatabaseFixture fixture) : DatabaseTest(fixture)
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        // Production-like: many acknowledged incidents, some open ones, INC-1042 escalated twice, a dead page, a page
        // superseded by its incident's acknowledgement, audit rows.
        await Db.ExecuteAsync(
            """
            INSERT INTO incidents (incident_key, route, severity, first_seen, acknowledged_at)
            SELECT 'OLD-' || n, 'route-' || (n % 30), 'warning', now() - interval '3 days', now() - interval '2 days'
            FROM generate_series(1, 20000) n;
            INSERT INTO incidents (incident_key, route, severity, title, first_seen, escalation_level, last_escalated_at)
            VALUES ('INC-1042', 'payments', 'critical', 'Card authorisations failing', now() - interval '50 minutes', 2, now() - interval '20 minutes'),
                   ('INC-1043', 'payments', 'warning', 'Refund queue slow', now() - interval '20 minutes', 1, now() - interval '5 minutes'),
                   ('INC-2001', 'search', 'critical', 'Search cluster red', now() - interval '3 hours', 5, now() - interval '10 minutes');
            INSERT INTO escalation_events (incident_key, level, unique_hash, created_at)
            VALUES ('INC-1042', 1, escalation_hash('INC-1042', 1), now() - interval '45 minutes'),
                   ('INC-1042', 2, escalation_hash('INC-1042', 2), now() - interval '20 minutes'),
                   ('INC-1043', 1, escalation_hash('INC-1043', 1), now() - interval '5 minutes');
            INSERT INTO notification_outbox (dedup_key, incident_key, level, route, severity, title, status, attempts, sent_at, last_error)
            VALUES (escalation_hash('INC-1042', 1), 'INC-1042', 1, 'payments', 'critical', 'Card authorisations failing', 'sent', 1, now() - interval '45 minutes', NULL),
                   (escalation_hash('INC-1042', 2), 'INC-1042', 2, 'payments', 'critical', 'Card authorisations failing', 'dead', 12, NULL, 'HTTP 404 Not Found'),
                   (escalation_hash('INC-1043', 1), 'INC-1043', 1, 'payments', 'warning', 'Refund queue slow', 'pending', 1, NULL, 'HTTP 500 Internal Server Error');
            INSERT INTO incidents (incident_key, route, severity, title, first_seen, escalation_level, last_escalated_at, acknowledged_at, acknowledged_by)
            VALUES ('INC-1044', 'payments', 'warning', 'Payouts delayed', now() - interval '30 minutes', 1, now() - interval '10 minutes',
                    now() - interval '9 minutes', 'slack:U024BE7LH');
            INSERT INTO escalation_events (incident_key, level, unique_hash, created_at)
            VALUES ('INC-1044', 1, escalation_hash('INC-1044', 1), now() - interval '10 minutes');
            INSERT INTO notification_outbox (dedup_key, incident_key, level, route, severity, title, status, attempts, superseded_at)
            VALUES (escalation_hash('INC-1044', 1), 'INC-1044', 1, 'payments', 'warning', 'Payouts delayed', 'superseded', 0, now() - interval '9 minutes');
            INSERT INTO incidents (incident_key, route, severity, title, first_seen, quarantined_at, quarantine_error)
            VALUES ('INC-3001', 'catalog', 'warning', 'Index row too large', now() - interval '1 hour', now(), '54000: index row size 2712 exceeds btree version 4 maximum 2704');
            INSERT INTO ops_audit (instance_id, caller, endpoint, outcome, http_status, duration_ms)
            VALUES ('i-1', 'alice@example.com', 'tick', 'ok', 200, 12.5), ('i-1', 'anonymous', 'tick', 'signature_mismatch', 401, 1.2);
            INSERT INTO incidents (incident_key, route, severity, first_seen, acknowledged_at, acknowledged_by)
            VALUES ('INC-1500', 'search', 'warning', now() - interval '2 hours', now() - interval '1 hour', 'slack:U024BE7LH');
            INSERT INTO notification_outbox (kind, incident_key, destination, body, status, attempts, last_error, dead_at)
            VALUES ('click_answer', 'INC-1500', NULL, '{}', 'dead', 1, 'HTTP 404 Not Found', now());
            INSERT INTO slack_messages (channel, ts, thread_ts, is_digest, shows)
            VALUES ('C0PAYMENTS', '1796400000.000100', NULL, false, '[]'), ('C0PAYMENTS', '1796400600.000200', '1796400000.000100', false, '[]');
            INSERT INTO slack_message_incidents (message_id, incident_key, shown_as)
            SELECT id, 'INC-1042', 'open' FROM slack_messages;
            INSERT INTO notification_outbox (kind, incident_key, destination, slack_message_id, status, attempts, last_error, dead_at)
            SELECT 'message_update', 'INC-1042', NULL, min(id), 'dead', 1, 'chat.update: Slack answered ok:false message_not_found', now()
            FROM slack_messages;
            ANALYZE incidents;
            """);
    }

    public static TheoryData<string, int> SqlBlocks()
    {
        var data = new TheoryData<string, int>();
        foreach (var doc in new[] { "runbook.md", "rollout.md", "go-live-checklist.md" })
        {
            var blocks = SqlBlock().Matches(File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", doc)));
            for (var i = 0; i < blocks.Count; i++)
            {
                data.Add(doc, i);
            }
        }
        return data;
    }

    private static string Block(string doc, int index) =>
        SqlBlock().Matches(File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", doc)))[index].Groups["sql"].Value;

    [Theory]
    [MemberData(nameof(SqlBlocks))]
    public async Task The_block_runs_as_written_and_finds_rows(string doc, int index)
    {
        var sql = Block(doc, index);

        var rows = await Db.QueryAsync(sql, r => Enumerable.Range(0, r.FieldCount).Select(i => r.IsDBNull(i) ? "" : r.GetValue(i).ToString()).ToArray());

        Assert.NotEmpty(rows);
        if (sql.TrimStart().StartsWith("EXPLAIN", StringComparison.Ordinal))
        {
            var plan = string.Join('\n', rows.Select(r => r[0]));
            Assert.Contains("ix_inc_due", plan);
            Assert.DoesNotContain("Seq Scan on incidents", plan);
        }
    }

    [Fact]
    public async Task Draining_acknowledges_the_routes_open_incidents_and_lowering_sets_the_level()
    {
        var ack = Block("runbook.md", 0);
        var lower = Block("runbook.md", 1);
        Assert.Contains("acknowledged_at = now()", ack);

        await Db.QueryAsync(lower, r => r.GetString(0));
        Assert.Equal(2, await Incidents.LevelOfAsync(Db, "INC-1042"));
        var acknowledged = await Db.QueryAsync(ack, r => r.GetString(0));

        Assert.Equal(["INC-1042", "INC-1043"], acknowledged.Order());
        Assert.Equal(0, await Db.ScalarAsync<long>("SELECT count(*) FROM incidents WHERE route = 'payments' AND next_due_at IS NOT NULL"));
        Assert.Equal(1, await Db.ScalarAsync<long>("SELECT count(*) FROM incidents WHERE route = 'search' AND acknowledged_at IS NULL"));
    }

    [Fact]
    public async Task Sending_dead_letters_again_puts_them_back_in_the_queue()
    {
        var requeue = Block("runbook.md", 2);

        var requeued = await Db.QueryAsync(requeue, r => r.GetString(0));

        Assert.Equal(["INC-1042"], requeued);
        Assert.Equal(0, await Db.ScalarAsync<long>("SELECT count(*) FROM notification_outbox WHERE status = 'dead' AND kind = 'page'"));
        // A dead click answer has no response_url left to post to: it stays dead.
        Assert.Equal(1, await Db.ScalarAsync<long>("SELECT count(*) FROM notification_outbox WHERE status = 'dead' AND kind = 'click_answer'"));
        Assert.Equal(0, await Db.ScalarAsync<int>("SELECT attempts FROM notification_outbox WHERE incident_key = 'INC-1042' AND level = 2"));
    }

    [Fact]
    public void The_24_hour_audit_is_the_specs_query()
    {
        Assert.Equal(
            "SELECT incident_key, level, created_at FROM escalation_events WHERE created_at > now() - interval '24 hours' ORDER BY created_at DESC;",
            Regex.Replace(Block("runbook.md", 3), @"\s+", " ").Trim());
    }

    [GeneratedRegex(@"```sql\n(?<sql>.*?)```", RegexOptions.Singleline)]
    private static partial Regex SqlBlock();
}
