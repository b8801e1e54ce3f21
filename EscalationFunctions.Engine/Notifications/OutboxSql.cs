namespace EscalationFunctions.Engine.Notifications;

/// <summary>The SQL of the Slack sender over <c>notification_outbox</c>.</summary>
internal static class OutboxSql
{
    private const string Waiting =
        "status = 'pending' AND next_attempt_at <= now() AND (lease_until IS NULL OR lease_until < now())";

    /// <summary>Routes with messages that may be sent now: pending, due, not leased by a live sender.</summary>
    public const string WaitingRoutes = $"SELECT DISTINCT route FROM notification_outbox WHERE {Waiting}";

    /// <summary>
    /// Leases the next message(s) of each given lane, oldest first: one, or up to <c>@digest_max</c>
    /// when more than <c>@digest_threshold</c> wait for that lane (spec §5.2; at most <c>@peek</c> rows
    /// are counted per lane). Lanes come as pairs of <c>@lane_ids</c> and <c>@routes</c>, one pair per
    /// route a lane carries; each row comes back with its lane. One statement serves every lane a
    /// planning pass takes, so a hundred lanes start posting together rather than one claim after another.
    /// The attempt is counted now, so a sender that keeps crashing mid-post still ends in the dead letter.
    /// <para>
    /// <c>picked</c> is MATERIALIZED on purpose: right after a tick fills the outbox, its statistics
    /// still describe an almost empty table, and an inlined <c>picked</c> was planned as a nested loop
    /// that counted every lane's waiting rows again for each outbox row (14 s for 1,000 rows over 100 lanes).
    /// </para>
    /// </summary>
    public const string ClaimNext =
        $"""
        WITH lanes AS (
            SELECT lane_id, array_agg(route) AS routes
            FROM unnest(@lane_ids::text[], @routes::text[]) AS t(lane_id, route)
            GROUP BY lane_id
        ),
        picked AS MATERIALIZED (
            SELECT lane_id, id
            FROM (SELECT lanes.lane_id, w.id,
                         row_number() OVER (PARTITION BY lanes.lane_id ORDER BY w.id) AS nth,
                         count(*) OVER (PARTITION BY lanes.lane_id) AS total
                  FROM lanes
                  CROSS JOIN LATERAL (
                      SELECT id FROM notification_outbox
                      WHERE route = ANY(lanes.routes) AND {Waiting}
                      ORDER BY id
                      LIMIT @peek) w) counted
            WHERE nth <= CASE WHEN total > @digest_threshold THEN @digest_max ELSE 1 END
        )
        UPDATE notification_outbox o
        SET lease_until = now() + make_interval(secs => @lease_seconds), attempts = o.attempts + 1
        FROM picked
        WHERE o.id = picked.id
          AND o.status = 'pending' AND (o.lease_until IS NULL OR o.lease_until < now())
        RETURNING picked.lane_id, o.id, o.dedup_key, o.incident_key, o.level, o.route, o.severity, o.title, o.attempts
        """;

    /// <summary>
    /// Keeps the leases of messages whose post is in flight. Only a lease still held is extended: a
    /// renewal that races the row's outcome or release must not lease it again for no one.
    /// </summary>
    public const string ExtendLeases =
        """
        UPDATE notification_outbox
        SET lease_until = greatest(lease_until, now() + make_interval(secs => @lease_seconds))
        WHERE id = ANY(@ids) AND status = 'pending' AND lease_until > now()
        """;

    public const string MarkSent =
        """
        UPDATE notification_outbox
        SET status = 'sent', sent_at = now(), lease_until = NULL, last_error = NULL
        WHERE id = ANY(@ids)
        """;

    /// <summary>Refused for good (spec §5.3: a permanent 4xx, a redirect): dead at once, with the answer as the reason.</summary>
    public const string MarkDead =
        """
        UPDATE notification_outbox
        SET status = 'dead', dead_at = now(), lease_until = NULL, last_error = @error
        WHERE id = ANY(@ids)
        """;

    /// <summary>A failed attempt: retry later, or dead-letter once the attempts are used up. Returns each row's new status.</summary>
    public const string MarkFailed =
        """
        UPDATE notification_outbox
        SET status = CASE WHEN attempts >= @max_attempts THEN 'dead' ELSE 'pending' END,
            dead_at = CASE WHEN attempts >= @max_attempts THEN now() END,
            next_attempt_at = now() + make_interval(secs => @retry_seconds),
            lease_until = NULL,
            last_error = @error
        WHERE id = ANY(@ids)
        RETURNING id, status
        """;

    /// <summary>
    /// Gives claimed rows back without an attempt having been made (a 429, shutdown before the post):
    /// the attempt counted at claim time is returned.
    /// </summary>
    public const string Release =
        """
        UPDATE notification_outbox
        SET attempts = greatest(attempts - 1, 0),
            lease_until = NULL,
            last_error = coalesce(@error, last_error)
        WHERE id = ANY(@ids) AND status = 'pending'
        """;
}
