namespace EscalationFunctions.Engine.Notifications;

/// <summary>The SQL of the Slack sender over <c>notification_outbox</c>.</summary>
internal static class OutboxSql
{
    private const string Waiting =
        "status = 'pending' AND next_attempt_at <= now() AND (lease_until IS NULL OR lease_until < now())";

    /// <summary>Routes with messages that may be sent now: pending, due, not leased by a live sender.</summary>
    public const string WaitingRoutes = $"SELECT DISTINCT route FROM notification_outbox WHERE {Waiting}";

    /// <summary>
    /// Leases the next message(s) of a lane's routes, oldest first: one, or up to <c>@digest_max</c>
    /// when more than <c>@digest_threshold</c> wait (spec §5.2; at most <c>@peek</c> rows are counted).
    /// The attempt is counted now, so a sender that keeps crashing mid-post still ends in the dead letter.
    /// </summary>
    public const string ClaimNext =
        $"""
        WITH waiting AS (
            SELECT id, row_number() OVER (ORDER BY id) AS nth, count(*) OVER () AS total
            FROM (SELECT id FROM notification_outbox
                  WHERE route = ANY(@routes) AND {Waiting}
                  ORDER BY id
                  LIMIT @peek) w
        )
        UPDATE notification_outbox o
        SET lease_until = now() + make_interval(secs => @lease_seconds), attempts = o.attempts + 1
        FROM waiting
        WHERE o.id = waiting.id
          AND waiting.nth <= CASE WHEN waiting.total > @digest_threshold THEN @digest_max ELSE 1 END
          AND o.status = 'pending' AND (o.lease_until IS NULL OR o.lease_until < now())
        RETURNING o.id, o.dedup_key, o.incident_key, o.level, o.route, o.severity, o.title, o.attempts
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
