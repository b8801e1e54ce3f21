namespace EscalationFunctions.Engine.Slack.Outbox;

/// <summary>The SQL that records what became of an outbox row: its post started, sent, dead, failed, given back; and the click answers queued.</summary>
internal static class OutboxOutcomeSql
{
    /// <summary>
    /// As a post is about to start: its attempt is counted, so a lane stopped before it posts used
    /// none while a sender that dies mid-post used one. Rows of <c>@ids</c> whose <c>@max_attempts</c>
    /// posts all ended with no outcome recorded (each sender stopped mid-post: a message that crashes
    /// its sender, say) become <c>dead</c> with <c>@spent_error</c> instead, so they cannot stop every
    /// sender forever. Returns each row still pending or just dead, with its status and attempts.
    /// </summary>
    public const string StartPosts =
        """
        UPDATE notification_outbox o
        SET status = CASE WHEN c.spent THEN 'dead' ELSE o.status END,
            dead_at = CASE WHEN c.spent THEN now() ELSE o.dead_at END,
            destination = CASE WHEN c.spent THEN NULL ELSE o.destination END,
            last_error = CASE WHEN c.spent THEN @spent_error ELSE o.last_error END,
            lease_until = CASE WHEN c.spent THEN NULL ELSE o.lease_until END,
            attempts = CASE WHEN c.spent THEN o.attempts ELSE o.attempts + 1 END
        FROM (
            SELECT id, attempts >= @max_attempts AS spent
            FROM notification_outbox
            WHERE id = ANY(@ids) AND status = 'pending'
        ) c
        WHERE o.id = c.id
        RETURNING o.id, o.status, o.attempts
        """;

    /// <summary>What a posted row becomes. A click answer's response_url (a bearer token for the channel) is not kept.</summary>
    public const string SentColumns = "status = 'sent', sent_at = now(), lease_until = NULL, last_error = NULL, destination = NULL";

    /// <summary>Posted.</summary>
    public const string MarkSent = $"UPDATE notification_outbox SET {SentColumns} WHERE id = ANY(@ids)";

    /// <summary>Refused for good (reference §5.3: a permanent 4xx, a redirect): dead at once, with the answer as the reason.</summary>
    public const string MarkDead =
        """
        UPDATE notification_outbox
        SET status = 'dead', dead_at = now(), lease_until = NULL, last_error = @error, destination = NULL
        WHERE id = ANY(@ids)
        """;

    /// <summary>
    /// A failed attempt: retry later, or dead-letter once the attempts are used up or the retry would
    /// come after the row's <c>expires_at</c> (a response_url Slack no longer accepts). Returns each
    /// row's new status.
    /// </summary>
    public const string MarkFailed =
        """
        UPDATE notification_outbox o
        SET status = CASE WHEN f.dead THEN 'dead' ELSE 'pending' END,
            dead_at = CASE WHEN f.dead THEN now() END,
            destination = CASE WHEN f.dead THEN NULL ELSE o.destination END,
            next_attempt_at = now() + make_interval(secs => @retry_seconds),
            lease_until = NULL,
            last_error = @error
        FROM (
            SELECT id, attempts >= @max_attempts OR coalesce(expires_at <= now() + make_interval(secs => @retry_seconds), false) AS dead
            FROM notification_outbox
            WHERE id = ANY(@ids)
        ) f
        WHERE o.id = f.id
        RETURNING o.id, o.status
        """;

    /// <summary>
    /// Gives claimed rows back: after a 429 (no attempt used, so the one counted when the post
    /// started is given back, <c>@give_back</c>), or when the lane stops before posting them.
    /// </summary>
    public const string Release =
        """
        UPDATE notification_outbox
        SET attempts = CASE WHEN @give_back THEN greatest(attempts - 1, 0) ELSE attempts END,
            lease_until = NULL,
            last_error = coalesce(@error, last_error)
        WHERE id = ANY(@ids) AND status = 'pending'
        """;

    /// <summary>
    /// Queues the answer to a Slack click in the click's own transaction (reference §9): committed before
    /// Slack gets its 200, so any instance posts it should this one stop right after answering.
    /// </summary>
    public const string QueueClickAnswer =
        """
        INSERT INTO notification_outbox (kind, incident_key, destination, body, expires_at)
        VALUES ('click_answer', @incident_key, @destination, @body, now() + make_interval(secs => @lifetime_seconds))
        RETURNING id
        """;
}
