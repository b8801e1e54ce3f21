namespace EscalationFunctions.Engine.Slack.Outbox;

/// <summary>The SQL that keeps claimed outbox rows while their post is in flight, and sets aside those that no longer page (reference §5.6).</summary>
internal static class OutboxLeaseSql
{
    /// <summary>
    /// The check right before a post (reference §5.6): of the rows a lane is about to post, the pages whose
    /// incident was acknowledged or resolved since they were claimed (while the lane waited for its
    /// webhook's pace, or a 429's Retry-After) become <c>superseded</c>, with their lease cleared and the
    /// attempt counted for the post given back. Returns the rows set aside; the rest are posted. It
    /// writes only when it sets a row aside, so it adds no commit to a post in the usual case. A post
    /// already on its way is not recalled: this runs before it starts, and an acknowledgement that
    /// commits after it does not stop that post.
    /// </summary>
    public const string SupersedeClosed =
        $"""
        UPDATE notification_outbox o
        SET status = 'superseded', superseded_at = now(), lease_until = NULL, attempts = greatest(o.attempts - 1, 0)
        WHERE o.id = ANY(@ids) AND o.status = 'pending' AND o.kind = 'page' AND {OutboxClaimSql.IncidentOpen} IS FALSE
        RETURNING o.id
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
}
