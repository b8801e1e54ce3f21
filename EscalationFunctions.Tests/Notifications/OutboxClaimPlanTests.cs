using System.Text.Json;
using EscalationFunctions.Engine.Notifications;
using EscalationFunctions.Tests.Support;

namespace EscalationFunctions.Tests.Notifications;

/// <summary>
/// The claim of many lanes at once (<see cref="OutboxSql.ClaimNext"/>) when the outbox's statistics
/// are stale, as they are right after a tick has filled it: the waiting rows are counted once, not
/// once per outbox row. Inlined, its picking CTE ran 1,000 times here (14 s with 100 lanes).
/// </summary>
public class OutboxClaimPlanTests(DatabaseFixture fixture) : DatabaseTest(fixture)
{
    [Fact]
    public async Task Claiming_for_100_lanes_over_an_outbox_the_statistics_call_empty_counts_the_waiting_rows_once()
    {
        // Statistics taken while the outbox was empty, kept so by turning autovacuum off for it;
        // then 1,000 waiting messages over 100 routes, as one tick writes them.
        await Db.ExecuteAsync("ALTER TABLE notification_outbox SET (autovacuum_enabled = false); ANALYZE notification_outbox");
        await Db.ExecuteAsync(
            """
            INSERT INTO notification_outbox (dedup_key, incident_key, level, route, severity, title)
            SELECT md5(n::text), 'K-' || n, 1, 'route-' || (n % 100), 'warning', 'stale statistics'
            FROM generate_series(1, 1000) n
            """);
        var routes = Enumerable.Range(0, 100).Select(n => $"route-{n}").ToArray();

        var plan = await ExplainAnalyzeAsync(routes);

        var windows = Nodes(plan).Where(n => n.GetProperty("Node Type").GetString() == "WindowAgg").ToList();
        Assert.NotEmpty(windows);
        Assert.All(windows, w => Assert.Equal(1, w.GetProperty("Actual Loops").GetInt64()));
        Assert.Equal(100, plan.GetProperty("Actual Rows").GetInt64());
    }

    /// <summary>Runs the claim under EXPLAIN ANALYZE, one lane per route, in a transaction that is rolled back.</summary>
    private async Task<JsonElement> ExplainAnalyzeAsync(string[] routes)
    {
        await using var conn = await Db.DataSource.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = "EXPLAIN (ANALYZE, FORMAT JSON) " + OutboxSql.ClaimNext;
        cmd.Parameters.AddWithValue("lane_ids", routes);
        cmd.Parameters.AddWithValue("routes", routes);
        cmd.Parameters.AddWithValue("lease_seconds", 60.0);
        cmd.Parameters.AddWithValue("peek", LanePlanner.MaxPeek);
        cmd.Parameters.AddWithValue("digest_threshold", 1_000_000);
        cmd.Parameters.AddWithValue("digest_max", 20);
        var json = (string)(await cmd.ExecuteScalarAsync())!;
        await tx.RollbackAsync();
        return JsonDocument.Parse(json).RootElement[0].GetProperty("Plan").Clone();
    }

    private static IEnumerable<JsonElement> Nodes(JsonElement node) =>
        node.TryGetProperty("Plans", out var children)
            ? children.EnumerateArray().SelectMany(Nodes).Prepend(node)
            : [node];
}
