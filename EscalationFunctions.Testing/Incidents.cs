
namespace EscalationFunctions.Testing;

/// <summary>Writes incidents the way other systems do: plain SQL, never next_due_at.</summary>
public static class Incidents
{
    /// <summary>
    /// Inserts <paramref name="count"/> incidents whose first escalation is overdue by
    /// <paramref name="overdueMinutes"/> (severity 'warning', SLA 15 min unless the test changed it).
    /// Route of incident i is <c>routeOf(i)</c>, key is <c>{prefix}-{i}</c>.
    /// </summary>
    public static Task<int> InsertDueAsync(TestDatabase db, int count, Func<int, string>? routeOf = null, string prefix = "INC",
        double overdueMinutes = 1, string severity = "warning")
    {
        var routes = Enumerable.Range(0, count).Select(i => routeOf?.Invoke(i) ?? "default").ToArray();
        return db.ExecuteAsync(
            """
            INSERT INTO incidents (incident_key, route, severity, title, first_seen)
            SELECT @prefix || '-' || n, (@routes)[n + 1], @severity, 'Incident ' || n,
                   now() - make_interval(mins => (CASE WHEN lower(@severity) = 'critical' THEN s.crit_ack_min ELSE s.warn_ack_min END))
                         - make_interval(secs => @overdue_seconds)
            FROM generate_series(0, @count - 1) n CROSS JOIN escalation_sla s
            """,
            ("prefix", prefix), ("routes", routes), ("severity", severity), ("overdue_seconds", overdueMinutes * 60), ("count", count));
    }

    public static Task<int> InsertAsync(TestDatabase db, string key, string route, string severity, TimeSpan age, string title = "test incident") =>
        db.ExecuteAsync(
            "INSERT INTO incidents (incident_key, route, severity, title, first_seen) VALUES (@k, @r, @s, @t, now() - make_interval(secs => @age))",
            ("k", key), ("r", route), ("s", severity), ("t", title), ("age", age.TotalSeconds));

    public static Task<int> LevelOfAsync(TestDatabase db, string key) =>
        db.ScalarAsync<int>("SELECT escalation_level FROM incidents WHERE incident_key = @k", ("k", key));

    /// <summary>Whether the incident is acknowledged, and by whom (<c>acknowledged_by</c>).</summary>
    public static async Task<(bool Acknowledged, string? By)> AckStateAsync(TestDatabase db, string key) =>
        (await db.QueryAsync("SELECT acknowledged_at IS NOT NULL, acknowledged_by FROM incidents WHERE incident_key = @k",
            r => (r.GetBoolean(0), r.IsDBNull(1) ? null : r.GetString(1)), ("k", key))).Single();

    /// <summary>Every acknowledged incident's key and <c>acknowledged_by</c>.</summary>
    public static async Task<Dictionary<string, string?>> AcknowledgedAsync(TestDatabase db) =>
        (await db.QueryAsync("SELECT incident_key, acknowledged_by FROM incidents WHERE acknowledged_at IS NOT NULL",
            r => (Key: r.GetString(0), By: r.IsDBNull(1) ? null : r.GetString(1)))).ToDictionary(r => r.Key, r => r.By, StringComparer.Ordinal);

    public static Task<long> EventCountAsync(TestDatabase db) => db.ScalarAsync<long>("SELECT count(*) FROM escalation_events");
}
