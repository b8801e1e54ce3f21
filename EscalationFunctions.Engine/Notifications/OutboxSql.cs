namespace EscalationFunctions.Engine.Notifications;

/// <summary>The SQL of the Slack sender over <c>notification_outbox</c>.</summary>
internal static class OutboxSql
{
    /// <summary>
    /// Rows that may be sent now: pending, due, not leased by a live sender. At most
    /// <c>@per_route</c> per route, so a backlog on one route cannot starve the others.
    /// </summary>
    public const string Candidates =
        """
        SELECT id, route
        FROM (
            SELECT id, route, next_attempt_at,
                   row_number() OVER (PARTITION BY route ORDER BY next_attempt_at, id) AS nth
            FROM notification_outbox
            WHERE status = 'pending'
              AND next_attempt_at <= now()
              AND (lease_until IS NULL OR lease_until < now())
        ) due
        WHERE nth <= @per_route
        ORDER BY next_attempt_at, id
        LIMIT @limit
        """;

    /// <summary>
    /// Takes a lease on the planned rows; rows another sender claimed in the meantime drop out.
    /// The attempt is counted now, so a sender that keeps crashing mid-post still ends in the dead letter.
    /// </summary>
    public const string Claim =
        """
        UPDATE notification_outbox
        SET lease_until = now() + make_interval(secs => @lease_seconds), attempts = attempts + 1
        WHERE id = ANY(@ids)
          AND status = 'pending'
          AND (lease_until IS NULL OR lease_until < now())
        RETURNING id, dedup_key, incident_key, level, route, severity, title, attempts
        """;

    public const string MarkSent =
        """
        UPDATE notification_outbox
        SET status = 'sent', sent_at = now(), lease_until = NULL, last_error = NULL
        WHERE id = @id
        """;

    /// <summary>A failed attempt: retry later, or dead-letter once the attempts are used up. Returns the new status.</summary>
    public const string MarkFailed =
        """
        UPDATE notification_outbox
        SET status = CASE WHEN attempts >= @max_attempts THEN 'dead' ELSE 'pending' END,
            next_attempt_at = now() + make_interval(secs => @retry_seconds),
            lease_until = NULL,
            last_error = @error
        WHERE id = @id
        RETURNING status
        """;

    /// <summary>
    /// Gives claimed rows back without an attempt having been made (a 429, an earlier failure on the
    /// same webhook, shutdown): the attempt counted at claim time is returned.
    /// </summary>
    public const string Release =
        """
        UPDATE notification_outbox
        SET attempts = greatest(attempts - 1, 0),
            lease_until = NULL,
            next_attempt_at = greatest(next_attempt_at, now() + make_interval(secs => @delay_seconds)),
            last_error = coalesce(@error, last_error)
        WHERE id = ANY(@ids) AND status = 'pending'
        """;
}
