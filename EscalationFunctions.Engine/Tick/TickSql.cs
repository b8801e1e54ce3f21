namespace EscalationFunctions.Engine.Tick;

/// <summary>
/// The tick's SQL, in one place. Every statement reads the database's clock (<c>now()</c>), never
/// the application's, so instances whose clocks disagree behave the same (reference §4.1).
/// </summary>
internal static class TickSql
{
    /// <summary>
    /// When an incident is due (reference §4.1), for alias <c>i</c>. <c>next_due_at &lt;= now()</c> with
    /// <c>acknowledged_at IS NULL</c> lets the planner serve this from the partial index <c>ix_inc_due</c>.
    /// Parameters: <c>@max_level</c>, <c>@snooze_min</c>.
    /// </summary>
    private const string DuePredicate =
        """
            i.acknowledged_at IS NULL
            AND i.resolved_at IS NULL
            AND i.next_due_at <= now()
            AND i.escalation_level < @max_level
            AND (i.last_escalated_at IS NULL OR i.last_escalated_at <= now() - make_interval(mins => @snooze_min))
            AND i.quarantined_at IS NULL
        """;

    /// <summary>The canary gate (reference §4.4) for alias <c>i</c>. Parameter: <c>@canary_pct</c>.</summary>
    private const string InCanary = "(@canary_pct >= 100 OR escalation_canary_bucket(i.route) < @canary_pct)";

    public const string DatabaseNow = "SELECT now()";

    /// <summary>
    /// Run before <see cref="EscalateBatch"/> in the batch's transaction. The planner underestimates
    /// the due rows: it multiplies the selectivity of <c>acknowledged_at IS NULL</c> with that of
    /// <c>next_due_at &lt;= now()</c> and the other due conditions, although every row with a
    /// <c>next_due_at</c> is unacknowledged. Believing a batch is a handful of rows, it
    /// <list type="bullet">
    /// <item>reads every due row (a bitmap scan of <c>ix_inc_due</c>, or all open incidents through
    /// <c>ix_inc_ack</c>) and sorts them, in every batch: a tick over N due rows read N²/batch rows.
    /// With sorting ruled out, the only way left to produce <c>ORDER BY next_due_at</c> is to walk
    /// <c>ix_inc_due</c> in order, which stops once the batch is full;</item>
    /// <item>joins the batch's rows to the events it recorded with a nested loop over the two CTEs,
    /// a batch² comparison of hashes (120 ms of a 170 ms batch of 1,000). Ruled out, that join is a
    /// hash join; it is the statement's only join.</item>
    /// </list>
    /// Measured with 1,000,000 incidents (docs/performance.md).
    /// </summary>
    public const string BatchPlanSettings = "SET LOCAL enable_sort = off; SET LOCAL enable_nestloop = off";

    // Where EscalateChosen narrows EscalateBatch's rows.
    private const string ChosenRows = "/*chosen*/";

    /// <summary>
    /// One batch of the tick, in one statement, run in its own transaction after
    /// <see cref="BatchPlanSettings"/> (<c>EscalationBatch.BeginTransactionAsync</c>): claim up to
    /// <c>@batch_size</c> due incidents in the canary (rows another tick holds are skipped, not waited
    /// for), raise each exactly one level, record one event per new (incident, level) and enqueue its
    /// Slack notification. An (incident, level) whose event already exists is not recorded or
    /// notified again (reference §4.3); the incident still moves to that level, so it does not come back
    /// on every tick. Returns (claimed, escalated).
    /// </summary>
    private const string EscalateTemplate =
        $"""
        WITH due AS (
            SELECT i.id, i.incident_key, i.route, i.severity, i.title,
                   i.escalation_level + 1 AS new_level,
                   escalation_hash(i.incident_key, i.escalation_level + 1) AS unique_hash
            FROM incidents i
            WHERE {DuePredicate}
              AND {InCanary}
              -- one level per tick, even when the snooze is 0 and the next level is already overdue
              AND (i.last_escalated_at IS NULL OR i.last_escalated_at < @tick_started_at)
              {ChosenRows}
            ORDER BY i.next_due_at
            LIMIT @batch_size
            FOR UPDATE OF i SKIP LOCKED
        ),
        recorded AS (
            INSERT INTO escalation_events (incident_key, level, unique_hash)
            SELECT incident_key, new_level, unique_hash FROM due
            ON CONFLICT (unique_hash) DO NOTHING
            RETURNING unique_hash
        ),
        raised AS (
            -- By primary key: joined to "due" instead, the planner hashes a sequential scan of all
            -- incidents whenever it guesses that is cheaper than a thousand index probes. The rows
            -- are the ones "due" locked, so their level is the one it read.
            UPDATE incidents i
            SET escalation_level = i.escalation_level + 1, last_escalated_at = now()
            WHERE i.id = ANY (ARRAY(SELECT id FROM due))
            RETURNING i.id
        ),
        queued AS (
            INSERT INTO notification_outbox (dedup_key, incident_key, level, route, severity, title)
            SELECT due.unique_hash, due.incident_key, due.new_level, due.route, due.severity, due.title
            FROM due JOIN recorded USING (unique_hash)
            RETURNING id
        )
        SELECT (SELECT count(*) FROM raised) AS claimed,
               (SELECT count(*) FROM queued) AS escalated
        """;

    public static readonly string EscalateBatch = EscalateTemplate.Replace(ChosenRows, "");

    /// <summary>
    /// <see cref="EscalateBatch"/> limited to the incidents <c>@ids</c> (still only those due and not
    /// locked): how the tick narrows a batch that raised a data error down to the rows that cause it.
    /// </summary>
    public static readonly string EscalateChosen = EscalateTemplate.Replace(ChosenRows, "AND i.id = ANY (@ids)");

    /// <summary>The incidents the next batch would claim, without locking them: where a failed batch's search starts.</summary>
    public const string NextBatchIds =
        $"""
        SELECT i.id
        FROM incidents i
        WHERE {DuePredicate}
          AND {InCanary}
          AND (i.last_escalated_at IS NULL OR i.last_escalated_at < @tick_started_at)
        ORDER BY i.next_due_at
        LIMIT @batch_size
        """;

    /// <summary>
    /// Sets one incident aside (reference §3.1); returns its key only if this call did it, so each
    /// quarantine is logged once, whichever instance finds it. The trigger lifts it on the row's next update.
    /// </summary>
    public const string Quarantine =
        """
        UPDATE incidents SET quarantined_at = now(), quarantine_error = @error
        WHERE id = @id AND quarantined_at IS NULL
        RETURNING incident_key
        """;

    /// <summary>
    /// Dry run: what one tick would do, written nowhere. Returns (would_escalate,
    /// would_skip_idempotent, first keys that would escalate).
    /// </summary>
    public const string Preview =
        $"""
        WITH due AS (
            SELECT i.incident_key, i.next_due_at,
                   EXISTS (SELECT 1 FROM escalation_events e
                           WHERE e.unique_hash = escalation_hash(i.incident_key, i.escalation_level + 1)) AS already_recorded
            FROM incidents i
            WHERE {DuePredicate}
              AND {InCanary}
        )
        SELECT count(*) FILTER (WHERE NOT already_recorded),
               count(*) FILTER (WHERE already_recorded),
               coalesce((SELECT array_agg(incident_key ORDER BY next_due_at)
                         FROM (SELECT incident_key, next_due_at FROM due WHERE NOT already_recorded
                               ORDER BY next_due_at LIMIT @sample_size) sample), ARRAY[]::text[])
        FROM due
        """;

    /// <summary>Due incidents that the canary leaves untouched this tick.</summary>
    public const string CountOutsideCanary =
        $"""
        SELECT count(*)
        FROM incidents i
        WHERE {DuePredicate}
          AND NOT {InCanary}
        """;

    /// <summary>Only the due query itself, for EXPLAIN in tests and benchmarks.</summary>
    public const string DueQueryForPlan =
        $"""
        SELECT i.id
        FROM incidents i
        WHERE {DuePredicate}
          AND {InCanary}
        ORDER BY i.next_due_at
        LIMIT @batch_size
        FOR UPDATE OF i SKIP LOCKED
        """;

    public const string RecordCompletedTick =
        """
        INSERT INTO escalation_ticks (instance_id, last_completed_at, last_result)
        VALUES (@instance_id, now(), @result::jsonb)
        ON CONFLICT (instance_id) DO UPDATE
        SET last_completed_at = excluded.last_completed_at, last_result = excluded.last_result
        """;
}
