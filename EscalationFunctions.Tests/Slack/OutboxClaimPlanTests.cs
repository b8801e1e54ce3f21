using System.Text.Json;
using EscalationFunctions.Engine.Slack.Delivery;
using EscalationFunctions.Engine.Slack.Outbox;
using EscalationFunctions.Tests.Support;

namespace EscalationFunctions.Tests.Slack;

/// <summary>
/// The claim of many lanes at once (<see cref="OutboxClaimSql.ClaimNext"/>) when the outbox's statistics
/// are stale, as they are right after a tick has filled it: the waiting rows are counted once, not
/// once per outbox row. Inlined, its picking CTE ran 1,000 times here (14 s with 100 lanes).
/// Since reference §5.6 the claim also looks up each waiting row's incident (by its unique key) to set
/// aside the acknowledged and resolved ones: that is one index probe per row walked, never a scan of
/// incidents or of the outbox per row.
/// </summary>
[Lane(TestLane.Database)]
public class OutboxClaimPlanTests(DatabaseFixture fixture) : DatabaseTest(fixture)
{
    private const int Rows = 1000;
    private const int Lanes = 100;

    /// <summary>
    /// Statistics taken while both tables were empty, kept so by turning autovacuum off; then 1,000
    /// incidents with a waiting message each over 100 routes, as one tick writes them, of which
    /// every third was acknowledged and every seventh (not already acknowledged) resolved since.
    /// </summary>
    private async Task<int> SeedWithStaleStatisticsAsync()
    {
        await Db.ExecuteAsync(
            """
            ALTER TABLE notification_outbox SET (autovacuum_enabled = false);
            ALTER TABLE incidents SET (autovacuum_enabled = false);
            ANALYZE notification_outbox; ANALYZE incidents;
            """);
        await Db.ExecuteAsync(
            """
            INSERT INTO incidents (incident_key, route, severity, title, first_seen, acknowledged_at, resolved_at)
            SELECT 'K-' || n, 'route-' || (n % 100), 'warning', 'stale statistics', now() - interval '1 hour',
                   CASE WHEN n % 3 = 0 THEN now() END, CASE WHEN n % 3 <> 0 AND n % 7 = 0 THEN now() END
            FROM generate_series(1, 1000) n;
            INSERT INTO notification_outbox (dedup_key, incident_key, level, route, severity, title)
            SELECT md5(n::text), 'K-' || n, 1, 'route-' || (n % 100), 'warning', 'stale statistics'
            FROM generate_series(1, 1000) n;
            """);
        return await Db.ScalarAsync<int>(
            "SELECT count(*)::int FROM incidents WHERE acknowledged_at IS NOT NULL OR resolved_at IS NOT NULL");
    }

    [Theory]
    [InlineData(1_000_000, 20)] // the tests' single messages: every lane counts up to ClaimPeek.Max
    [InlineData(5, 40)] // the defaults: a lane counts 40
    public async Task Claiming_for_100_lanes_over_an_outbox_the_statistics_call_empty_counts_the_waiting_rows_once_and_probes_each_incident_once(
        int digestThreshold, int digestMax)
    {
        var closed = await SeedWithStaleStatisticsAsync();
        var routes = Enumerable.Range(0, Lanes).Select(n => $"route-{n}").ToArray();

        var (plan, returned) = await ExplainAnalyzeAsync(routes, digestThreshold, digestMax);
        var nodes = Nodes(plan).ToList();

        var windows = nodes.Where(n => n.GetProperty("Node Type").GetString() == "WindowAgg").ToList();
        Assert.NotEmpty(windows);
        Assert.All(windows, w => Assert.Equal(1, w.GetProperty("Actual Loops").GetInt64()));
        // Every scan of the outbox runs once per route at most (the walks; one route per lane here), or once in all.
        var outboxScans = nodes.Where(n => Relation(n) == "notification_outbox").ToList();
        Assert.All(outboxScans, s => Assert.True(s.GetProperty("Actual Loops").GetInt64() <= Lanes, Describe(s)));
        // Incidents are probed by key: one row at most per probe, and no more probes than rows walked twice over (two walks).
        var incidentScans = nodes.Where(n => Relation(n) == "incidents").ToList();
        Assert.NotEmpty(incidentScans);
        Assert.All(incidentScans, s => Assert.True(s.GetProperty("Node Type").GetString() is "Index Scan" or "Index Only Scan", Describe(s)));
        Assert.All(incidentScans, s => Assert.True(s.GetProperty("Actual Rows").GetDouble() <= 1, Describe(s)));
        Assert.True(incidentScans.Sum(s => s.GetProperty("Actual Loops").GetInt64()) <= 2 * Rows,
            string.Join("; ", incidentScans.Select(Describe)));

        // One message per lane, or a digest of the open ones where more than the threshold are open;
        // every closed row the lanes walked past (all of them: no lane has more than its peek) is set aside.
        var openPerLane = await Db.QueryAsync(
            """
            SELECT count(*) FILTER (WHERE i.acknowledged_at IS NULL AND i.resolved_at IS NULL)
            FROM notification_outbox o JOIN incidents i USING (incident_key) GROUP BY o.route
            """, r => r.GetInt64(0));
        Assert.Equal(Lanes, openPerLane.Count);
        var expected = openPerLane.Sum(open => open > digestThreshold ? Math.Min(open, digestMax) : Math.Min(open, 1));
        Assert.Equal(expected, returned.Count(r => !r.Superseded));
        Assert.Equal(closed, returned.Count(r => r.Superseded));
        Assert.Equal(closed, await Db.ScalarAsync<long>("SELECT count(*) FROM notification_outbox o JOIN incidents i USING (incident_key) WHERE i.acknowledged_at IS NOT NULL OR i.resolved_at IS NOT NULL"));
    }

    private static string? Relation(JsonElement node) => node.TryGetProperty("Relation Name", out var r) ? r.GetString() : null;

    private static string Describe(JsonElement node) =>
        $"{node.GetProperty("Node Type").GetString()} on {Relation(node)}: {node.GetProperty("Actual Loops").GetInt64()} loops, {node.GetProperty("Actual Rows").GetDouble()} rows";

    /// <summary>Runs the claim under EXPLAIN ANALYZE, one lane per route, in a transaction that is rolled back; also returns what it claimed.</summary>
    private async Task<(JsonElement Plan, List<(long Id, bool Superseded)> Returned)> ExplainAnalyzeAsync(string[] routes, int digestThreshold, int digestMax)
    {
        await using var conn = await Db.DataSource.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = "EXPLAIN (ANALYZE, FORMAT JSON) " + OutboxClaimSql.ClaimNext;
        cmd.Parameters.AddWithValue("lane_ids", routes);
        cmd.Parameters.AddWithValue("routes", routes);
        cmd.Parameters.AddWithValue("answer_lane_ids", Array.Empty<string>());
        cmd.Parameters.AddWithValue("destinations", Array.Empty<string>());
        cmd.Parameters.AddWithValue("update_lane_ids", Array.Empty<string>());
        cmd.Parameters.AddWithValue("channels", Array.Empty<string>());
        cmd.Parameters.AddWithValue("lease_seconds", 60.0);
        cmd.Parameters.AddWithValue("peek", ClaimPeek.For(digestThreshold, digestMax));
        cmd.Parameters.AddWithValue("digest_threshold", digestThreshold);
        cmd.Parameters.AddWithValue("digest_max", digestMax);
        cmd.Parameters.AddWithValue("supersede_max", OutboxStore.MaxSupersededPerRoute);
        var json = (string)(await cmd.ExecuteScalarAsync())!;

        // The statement ran (EXPLAIN ANALYZE executes it): what it changed is visible inside the transaction.
        await using var read = conn.CreateCommand();
        read.CommandText = "SELECT id, status = 'superseded' FROM notification_outbox WHERE lease_until IS NOT NULL OR status = 'superseded' ORDER BY id";
        var returned = new List<(long, bool)>();
        await using (var reader = await read.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                returned.Add((reader.GetInt64(0), reader.GetBoolean(1)));
            }
        }
        await tx.RollbackAsync();
        return (JsonDocument.Parse(json).RootElement[0].GetProperty("Plan").Clone(), returned);
    }

    private static IEnumerable<JsonElement> Nodes(JsonElement node) =>
        node.TryGetProperty("Plans", out var children)
            ? children.EnumerateArray().SelectMany(Nodes).Prepend(node)
            : [node];
}
