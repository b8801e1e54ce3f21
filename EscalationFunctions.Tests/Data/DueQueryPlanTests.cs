using System.Text.Json;
using EscalationFunctions.Engine.Status;
using EscalationFunctions.Engine.Tick;
using EscalationFunctions.Testing;
using EscalationFunctions.Tests.Support;
using Npgsql;

namespace EscalationFunctions.Tests.Data;

/// <summary>The due query must be served by ix_inc_due: no sequential scan of incidents (reference §3).</summary>
[Lane(TestLane.Database)]
public class DueQueryPlanTests(DatabaseFixture fixture) : IClassFixture<DatabaseFixture>
{
    private async Task Seed100kAsync()
    {
        var db = fixture.Db;
        await db.ResetAsync();
        // 100,000 incidents: 90% acknowledged, 9% open and not due yet, 1% due now.
        await db.ExecuteAsync(
            """
            INSERT INTO incidents (incident_key, route, severity, first_seen, acknowledged_at)
            SELECT 'P-' || n, 'route-' || (n % 50), CASE WHEN n % 3 = 0 THEN 'critical' ELSE 'warning' END,
                   CASE WHEN n % 100 = 0 THEN now() - interval '20 minutes' ELSE now() - interval '1 minute' END,
                   CASE WHEN n % 10 < 9 AND n % 100 <> 0 THEN now() END
            FROM generate_series(1, 100000) n
            """);
        await db.ExecuteAsync("ANALYZE incidents");
    }

    private async Task<string> PlanAsync(string sql, bool withTickParameters, int canaryPct, NpgsqlConnection? conn = null)
    {
        await using var cmd = conn is null
            ? fixture.Db.DataSource.CreateCommand("EXPLAIN (FORMAT JSON) " + sql)
            : new NpgsqlCommand("EXPLAIN (FORMAT JSON) " + sql, conn);
        cmd.Parameters.AddWithValue("max_level", 7);
        cmd.Parameters.AddWithValue("snooze_min", 30);
        cmd.Parameters.AddWithValue("canary_pct", canaryPct);
        cmd.Parameters.AddWithValue("batch_size", 1000);
        if (withTickParameters)
        {
            cmd.Parameters.AddWithValue("tick_started_at", DateTimeOffset.UtcNow);
        }
        return (string)(await cmd.ExecuteScalarAsync())!;
    }

    private static IEnumerable<JsonElement> Nodes(JsonElement node)
    {
        yield return node;
        if (node.TryGetProperty("Plans", out var children))
        {
            foreach (var child in children.EnumerateArray().SelectMany(Nodes))
            {
                yield return child;
            }
        }
    }

    [Fact]
    public async Task With_100000_incidents_the_due_query_and_the_tick_statement_scan_ix_inc_due_only()
    {
        await Seed100kAsync();
        Assert.Equal(100_000, await fixture.Db.ScalarAsync<long>("SELECT count(*) FROM incidents"));

        // The outside-canary count only runs when the canary is below 100 (at 100 it is constant false).
        foreach (var (sql, tick, canaryPct) in new[]
                 {
                     (TickSql.DueQueryForPlan, false, 100), (TickSql.EscalateBatch, true, 100),
                     (TickSql.DueQueryForPlan, false, 10), (TickSql.EscalateBatch, true, 10), (TickSql.CountOutsideCanary, false, 10),
                 })
        {
            var json = await PlanAsync(sql, tick, canaryPct);
            var plan = JsonDocument.Parse(json).RootElement[0].GetProperty("Plan");
            var scans = Nodes(plan)
                .Where(n => n.TryGetProperty("Relation Name", out var r) && r.GetString() == "incidents")
                .Select(n => (Type: n.GetProperty("Node Type").GetString(), Index: n.TryGetProperty("Index Name", out var i) ? i.GetString() : null))
                .ToList();

            Assert.True(scans.Any(s => s.Type is "Index Scan" or "Bitmap Heap Scan" or "Index Only Scan"), json);
            Assert.True(scans.All(s => s.Type != "Seq Scan"), json);
            var indexes = Nodes(plan).Where(n => n.TryGetProperty("Index Name", out _)).Select(n => n.GetProperty("Index Name").GetString()).ToList();
            Assert.Contains("ix_inc_due", indexes);
        }
    }

    [Fact]
    public async Task In_its_transaction_the_tick_batch_walks_ix_inc_due_in_order_and_hashes_its_join()
    {
        await Seed100kAsync();
        // Only 100 incidents open, all due, as in a database where nearly everything was handled: the
        // statistics' sample then holds too few open incidents, the planner expects one due row and,
        // left alone, joins the batch's rows to its events with a nested loop.
        await fixture.Db.ExecuteAsync(
            """
            UPDATE incidents SET acknowledged_at = now()
            WHERE acknowledged_at IS NULL AND (next_due_at > now() OR substr(incident_key, 3)::int % 1000 <> 0);
            ANALYZE incidents;
            """);
        Assert.Equal(100, await fixture.Db.ScalarAsync<long>("SELECT count(*) FROM incidents WHERE acknowledged_at IS NULL"));
        await using var conn = await fixture.Db.DataSource.OpenConnectionAsync();
        await using var tx = await EscalationBatch.BeginTransactionAsync(conn, CancellationToken.None);

        var json = await PlanAsync(TickSql.EscalateBatch, withTickParameters: true, canaryPct: 100, conn);
        var nodes = Nodes(JsonDocument.Parse(json).RootElement[0].GetProperty("Plan")).ToList();
        var types = nodes.Select(n => n.GetProperty("Node Type").GetString()).ToList();

        // Sorting all due rows in every batch, or comparing each claimed row with each recorded
        // event, made a tick quadratic in its due rows (docs/performance.md).
        Assert.DoesNotContain("Sort", types);
        Assert.DoesNotContain("Nested Loop", types);
        Assert.Contains("Hash Join", types);
        Assert.Contains(nodes, n => n.GetProperty("Node Type").GetString() == "Index Scan"
                                    && n.TryGetProperty("Index Name", out var index) && index.GetString() == "ix_inc_due");
    }

    [Fact]
    public async Task Narrowing_a_failed_batch_down_finds_the_chosen_incidents_by_primary_key()
    {
        await Seed100kAsync();
        var ids = await fixture.Db.QueryAsync("SELECT id FROM incidents WHERE acknowledged_at IS NULL ORDER BY next_due_at LIMIT 10", r => r.GetInt64(0));
        await using var conn = await fixture.Db.DataSource.OpenConnectionAsync();
        await using var cmd = new NpgsqlCommand("EXPLAIN (FORMAT JSON) " + TickSql.EscalateChosen, conn);
        cmd.Parameters.AddWithValue("max_level", 7);
        cmd.Parameters.AddWithValue("snooze_min", 30);
        cmd.Parameters.AddWithValue("canary_pct", 100);
        cmd.Parameters.AddWithValue("batch_size", 1000);
        cmd.Parameters.AddWithValue("tick_started_at", DateTimeOffset.UtcNow);
        cmd.Parameters.AddWithValue("ids", ids.ToArray());

        var json = (string)(await cmd.ExecuteScalarAsync())!;
        var nodes = Nodes(JsonDocument.Parse(json).RootElement[0].GetProperty("Plan")).ToList();

        // Not a walk along every due row of ix_inc_due looking for ten ids.
        Assert.DoesNotContain(nodes, n => n.GetProperty("Node Type").GetString() == "Seq Scan");
        Assert.Contains(nodes, n => n.TryGetProperty("Index Name", out var index) && index.GetString() == "incidents_pkey");
    }

    [Fact]
    public async Task The_health_query_reads_indexes_not_tables()
    {
        await Seed100kAsync();
        await fixture.Db.ExecuteAsync(
            """
            INSERT INTO notification_outbox (dedup_key, incident_key, level, route, severity, title, status, superseded_at)
            SELECT md5(n::text), 'P-' || n, 1, 'r', 'warning', '',
                   CASE WHEN n % 1000 = 0 THEN 'pending' WHEN n % 997 = 0 THEN 'dead' WHEN n % 991 = 0 THEN 'superseded' ELSE 'sent' END,
                   CASE WHEN n % 991 = 0 AND n % 1000 <> 0 AND n % 997 <> 0 THEN now() - make_interval(hours => n % 48) END
            FROM generate_series(1, 20000) n;
            INSERT INTO escalation_ticks (instance_id, last_completed_at) VALUES ('a', now()), ('b', now());
            ANALYZE notification_outbox;
            """);

        await using var cmd = fixture.Db.DataSource.CreateCommand("EXPLAIN (FORMAT JSON) " + WorkerStatusSql.Read);
        cmd.Parameters.AddWithValue("superseded_hours", WorkerStatusSql.SupersededWindowHours);
        var json = (string)(await cmd.ExecuteScalarAsync())!;
        var seqScans = Nodes(JsonDocument.Parse(json).RootElement[0].GetProperty("Plan"))
            .Where(n => n.GetProperty("Node Type").GetString() == "Seq Scan")
            .Select(n => n.GetProperty("Relation Name").GetString())
            .ToList();

        Assert.DoesNotContain("incidents", seqScans);
        Assert.DoesNotContain("notification_outbox", seqScans);
    }
}
