namespace EscalationFunctions.Engine.Slack.Delivery;

/// <summary>
/// The SQL of the per-webhook lanes (<c>slack_webhook_lanes</c>, reference §5.1). Every time is the
/// database's <c>now()</c>, so instances whose clocks disagree still keep one pace.
/// </summary>
internal static class WebhookLaneSql
{
    /// <summary>
    /// Takes the lanes of the given webhooks that no live holder has and that are free within
    /// <c>@within_seconds</c> (a lane that could not post before it stops is not worth taking);
    /// returns those taken, each with the seconds to wait before its first post. Ids come sorted so that two instances taking
    /// overlapping sets lock rows in the same order.
    /// </summary>
    public const string Acquire =
        """
        INSERT INTO slack_webhook_lanes AS l (webhook_id, token, lease_until)
        SELECT t.webhook_id, t.token, now() + make_interval(secs => @lease_seconds)
        FROM unnest(@webhook_ids::text[], @tokens::uuid[]) AS t(webhook_id, token)
        ORDER BY t.webhook_id
        ON CONFLICT (webhook_id) DO UPDATE
            SET token = excluded.token, lease_until = excluded.lease_until
            WHERE l.lease_until < now() AND l.next_free_at <= now() + make_interval(secs => @within_seconds)
        RETURNING l.webhook_id, l.token, extract(epoch FROM greatest(l.next_free_at, now()) - now())::float8
        """;

    /// <summary>
    /// The webhook answered (or a post may have reached it): nothing goes to it before
    /// <c>now() + @hold_seconds</c>. Also extends the lane. Returns the seconds to wait before the
    /// next post, or no row when the lane is no longer this holder's.
    /// </summary>
    public const string Answered =
        """
        UPDATE slack_webhook_lanes
        SET next_free_at = greatest(next_free_at, now() + make_interval(secs => @hold_seconds)),
            lease_until = now() + make_interval(secs => @lease_seconds)
        WHERE webhook_id = @webhook_id AND token = @token
        RETURNING extract(epoch FROM greatest(next_free_at, now()) - now())::float8
        """;

    /// <summary>Extends the lane while its holder works; no row when the lane is no longer this holder's.</summary>
    public const string Extend =
        """
        UPDATE slack_webhook_lanes
        SET lease_until = greatest(lease_until, now() + make_interval(secs => @lease_seconds))
        WHERE webhook_id = @webhook_id AND token = @token
        RETURNING 1
        """;

    public const string Release =
        """
        UPDATE slack_webhook_lanes
        SET token = NULL, lease_until = '-infinity'
        WHERE webhook_id = @webhook_id AND token = @token
        """;

    /// <summary>
    /// Removes a one-off lane (a click answer's response_url) as its holder ends it, unless its
    /// destination holds it for longer (a 429's Retry-After, a retry's backoff): such a lane is used
    /// once and would otherwise stay forever. Also removes any lane nobody has held or needed for a
    /// day, which leaves a hold behind as well; a webhook's lane is simply taken again when its next
    /// message comes, with nothing to wait for.
    /// </summary>
    public const string ForgetOneOff =
        """
        DELETE FROM slack_webhook_lanes
        WHERE (webhook_id = @webhook_id AND token = @token AND next_free_at <= now())
           OR (token IS NULL AND next_free_at < now() - interval '1 day')
        """;
}
