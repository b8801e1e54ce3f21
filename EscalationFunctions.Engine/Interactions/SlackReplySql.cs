namespace EscalationFunctions.Engine.Interactions;

/// <summary>The SQL of the <c>response_url</c> answers queued in <c>slack_replies</c>.</summary>
internal static class SlackReplySql
{
    public const string Enqueue =
        """
        INSERT INTO slack_replies (incident_key, response_url, body)
        VALUES (@incident_key, @response_url, @body)
        RETURNING id
        """;

    /// <summary>
    /// Leases due rows (all of them, or the one given), counting the attempt now so a sender that
    /// keeps dying mid-post still ends in the dead letter. SKIP LOCKED: instances never wait on each other.
    /// The key is only logged, so only as much of it as a log line shows is read (a click's value can be a megabyte).
    /// </summary>
    public const string Claim =
        """
        UPDATE slack_replies r
        SET lease_until = now() + make_interval(secs => @lease_seconds), attempts = r.attempts + 1
        WHERE r.id IN (
            SELECT id FROM slack_replies
            WHERE status = 'pending'
              AND next_attempt_at <= now()
              AND (lease_until IS NULL OR lease_until < now())
              AND (@only_id IS NULL OR id = @only_id)
            ORDER BY next_attempt_at, id
            LIMIT @limit
            FOR UPDATE SKIP LOCKED)
        RETURNING r.id, left(r.incident_key, @key_chars), r.response_url, r.body, r.attempts, extract(epoch FROM now() - r.created_at)::float8
        """;

    /// <summary>Done, either way: the response_url (a bearer token for the channel) is not kept.</summary>
    public const string Finish =
        """
        UPDATE slack_replies
        SET status = @status, done_at = now(), lease_until = NULL, response_url = NULL, last_error = @error
        WHERE id = @id
        """;

    public const string Retry =
        """
        UPDATE slack_replies
        SET next_attempt_at = now() + make_interval(secs => @retry_seconds), lease_until = NULL, last_error = @error
        WHERE id = @id
        """;
}
