using EscalationFunctions.Engine.Slack.App;
using EscalationFunctions.Tests.Support;

namespace EscalationFunctions.Tests.Slack.App;

/// <summary>
/// Reference §10.4: the tick finds the messages to rewrite set-based, through the partial index of
/// the incidents still shown open (<see cref="SlackMessageSql.QueueRewrites"/>), never by reading the
/// incidents or every message that was ever posted.
/// </summary>
[Lane(TestLane.Database)]
public class SlackRewritePlanTests(DatabaseFixture fixture) : DatabaseTest(fixture)
{
    [Fact]
    public async Task Among_200000_incidents_whose_messages_are_long_rewritten_the_tick_reads_only_those_shown_open()
    {
        await Db.ExecuteAsync(
            """
            INSERT INTO incidents (incident_key, route, severity, first_seen, acknowledged_at)
            SELECT 'OLD-' || n, 'r', 'warning', now() - interval '3 days', now() - interval '2 days' FROM generate_series(1, 200000) n;
            INSERT INTO slack_messages (channel, ts, is_digest, shows)
            SELECT 'C0OLD', '1700000000.' || lpad(n::text, 6, '0'), false, '[]' FROM generate_series(1, 200000) n;
            INSERT INTO slack_message_incidents (message_id, incident_key, shown_as)
            SELECT n, 'OLD-' || n, 'acknowledged' FROM generate_series(1, 200000) n;

            INSERT INTO incidents (incident_key, route, severity, first_seen, acknowledged_at)
            SELECT 'NOW-' || n, 'r', 'warning', now() - interval '1 hour', CASE WHEN n <= 10 THEN now() END FROM generate_series(1, 100) n;
            INSERT INTO slack_messages (channel, ts, is_digest, shows)
            SELECT 'C0NOW', '1800000000.' || lpad(n::text, 6, '0'), false, '[]' FROM generate_series(1, 100) n;
            INSERT INTO slack_message_incidents (message_id, incident_key)
            SELECT 200000 + n, 'NOW-' || n FROM generate_series(1, 100) n;
            ANALYZE incidents; ANALYZE slack_messages; ANALYZE slack_message_incidents;
            """);

        var plan = string.Join('\n', await Db.QueryAsync("EXPLAIN " + SlackMessageSql.QueueRewrites, r => r.GetString(0)));

        Assert.Contains("ix_slack_message_incidents_open", plan);
        Assert.DoesNotContain("Seq Scan on incidents", plan);
        Assert.DoesNotContain("Seq Scan on slack_message_incidents", plan);
        Assert.DoesNotContain("Seq Scan on slack_messages", plan);
        Assert.Equal(10, await Db.ExecuteAsync(SlackMessageSql.QueueRewrites));
        Assert.Equal(10, await Db.ScalarAsync<long>("SELECT count(*) FROM notification_outbox WHERE kind = 'message_update' AND destination = 'C0NOW'"));
        Assert.Equal(0, await Db.ExecuteAsync(SlackMessageSql.QueueRewrites));
    }
}
