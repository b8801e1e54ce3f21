namespace EscalationFunctions.Benchmarks;

/// <summary>Where the due incidents sit among the others.</summary>
public enum Layout
{
    /// <summary>
    /// Incidents in the order they arrived (ids and keys follow <c>first_seen</c>, 30 days of them);
    /// the due ones are among the most recent: every 4th of the last 4×due incidents. That is where
    /// the spec's rules put them: with the default settings an unacknowledged incident reaches
    /// <c>MAX_ESC_LEVEL</c> 7 a little over three hours after it was first seen (the 30-minute snooze
    /// sets the pace) and is never due again, so a due incident is a recent one.
    /// </summary>
    Recent,

    /// <summary>
    /// The due incidents spread evenly over the whole table (every total/due-th row), so the tick
    /// touches a different heap page and index leaf for nearly every incident: the worst case for
    /// locality, as in a table whose live rows have drifted all over the heap.
    /// </summary>
    Scattered,
}

/// <summary>
/// Fills a template database, set-based, with <c>total</c> incidents of which exactly <c>due</c> are
/// due now, placed as <see cref="Layout"/> says. The rest, as other systems write them:
/// <list type="bullet">
/// <item>one in five of those near the due ones is open but not due: escalated in the last minute
/// (level 2 to 6), so its next escalation is at least 29 minutes away (the 30-minute snooze);</item>
/// <item>the others are acknowledged (older ones half resolved too), level 0 to 2.</item>
/// </list>
/// Every past escalation has its <c>escalation_events</c> row and its sent <c>notification_outbox</c>
/// row (neither table is pruned by the engine), so the unique indexes the tick inserts into have the
/// size they would have in a database that has been running. Then <c>VACUUM (FREEZE, ANALYZE)</c>.
/// </summary>
public static class Seeder
{
    public static async Task<SeedInfo> SeedAsync(BenchDatabases dbs, string database, int total, int due, Layout layout)
    {
        // The due incidents are every stride-th of the last "window" incidents.
        var window = layout == Layout.Recent ? Math.Min(total, 4 * due) : total;
        if (due <= 0 || due > total || window % due != 0)
        {
            throw new ArgumentException($"due ({due}) must divide {window}");
        }
        var insertIncidents = await dbs.ExecuteAsync(database,
            """
            INSERT INTO incidents (incident_key, route, severity, title, first_seen, acknowledged_at, resolved_at,
                                   escalation_level, last_escalated_at)
            SELECT 'BENCH-' || lpad(n::text, 7, '0'),
                   'route-' || lpad((n % 50)::text, 2, '0'),
                   CASE WHEN n % 3 = 0 THEN 'critical' ELSE 'warning' END,
                   'Benchmark incident ' || n,
                   first_seen,
                   CASE WHEN kind = 'acked' THEN first_seen + make_interval(secs => 60 + n % 600) END,
                   CASE WHEN kind = 'acked' AND n % 2 = 0 AND first_seen < now() - interval '2 hours'
                        THEN first_seen + make_interval(secs => 1800 + n % 600) END,
                   level,
                   CASE WHEN kind = 'open' THEN now() - make_interval(secs => n % 60)
                        WHEN level > 0 THEN first_seen + make_interval(mins => 5 * level) END
            FROM (
                SELECT n, kind,
                       CASE WHEN @recent THEN
                                -- in arrival order: the window spans the last 100 minutes (and starts
                                -- 16 minutes ago, so its due incidents are past their first deadline),
                                -- the older incidents the 30 days before
                                CASE WHEN n > @base THEN now() - interval '16 minutes' - make_interval(secs => (@total - n) * 6000.0 / @window)
                                     ELSE now() - interval '2 hours' - make_interval(secs => (@base - n) * 2592000.0 / greatest(@base, 1)) END
                            ELSE
                                CASE kind WHEN 'due'  THEN now() - interval '16 minutes' - make_interval(secs => n % 600)
                                          WHEN 'open' THEN now() - interval '30 minutes' - make_interval(secs => n % 600)
                                          ELSE now() - interval '2 hours' - make_interval(secs => n % 2592000) END
                       END AS first_seen,
                       CASE kind WHEN 'due' THEN 0 WHEN 'open' THEN 2 + n % 5 ELSE n % 3 END AS level
                FROM (
                    SELECT n, CASE WHEN n > @base AND (n - @base) % @stride = 0 THEN 'due'
                                   WHEN n > @base AND n % 5 = 1 THEN 'open'
                                   ELSE 'acked' END AS kind
                    FROM generate_series(1, @total) n
                ) k
            ) s
            ORDER BY n
            """,
            ("recent", layout == Layout.Recent), ("total", total), ("window", window), ("base", total - window), ("stride", window / due));

        var insertHistory = await dbs.ExecuteAsync(database,
            """
            INSERT INTO escalation_events (incident_key, level, unique_hash, created_at)
            SELECT i.incident_key, l, escalation_hash(i.incident_key, l), i.first_seen + make_interval(mins => 5 * l)
            FROM incidents i CROSS JOIN LATERAL generate_series(1, i.escalation_level) l
            ORDER BY i.id, l;
            INSERT INTO notification_outbox (dedup_key, incident_key, level, route, severity, title, status, attempts,
                                             next_attempt_at, created_at, sent_at)
            SELECT e.unique_hash, e.incident_key, e.level, i.route, i.severity, i.title, 'sent', 1,
                   e.created_at, e.created_at, e.created_at + interval '1 second'
            FROM escalation_events e JOIN incidents i USING (incident_key)
            ORDER BY e.id;
            """);

        var vacuum = await dbs.ExecuteAsync(database, "VACUUM (FREEZE, ANALYZE)");
        // For the warm ticks (see BenchEngine.WarmPoolAsync); contrib modules, present wherever PostgreSQL's own packages are.
        await dbs.ExecuteAsync(database, "CREATE EXTENSION IF NOT EXISTS pg_prewarm; CREATE EXTENSION IF NOT EXISTS amcheck");

        var dueNow = await dbs.ScalarAsync<long>(database,
            """
            SELECT count(*) FROM incidents
            WHERE acknowledged_at IS NULL AND resolved_at IS NULL AND next_due_at <= now()
            """);
        if (dueNow != due)
        {
            throw new InvalidOperationException($"seeding {database}: {dueNow} incidents are due, expected {due}");
        }
        var events = await dbs.ScalarAsync<long>(database, "SELECT count(*) FROM escalation_events");
        var size = await dbs.ScalarAsync<long>(database, "SELECT pg_database_size(current_database())");
        return new SeedInfo(total, due, layout, events, size, (insertIncidents + insertHistory + vacuum).TotalSeconds);
    }
}

public sealed record SeedInfo(int Total, int Due, Layout Layout, long HistoryEvents, long DatabaseBytes, double SeedSeconds);
