namespace EscalationFunctions.Engine.Slack.Outbox;

/// <summary>
/// The SQL of the one outgoing queue, <c>notification_outbox</c> (reference §5.7): pages and click answers
/// are rows of it with a <c>kind</c>, claimed, leased, posted and recorded by the same statements. These
/// find and claim the waiting rows; <see cref="OutboxLeaseSql"/> keeps and checks them, <see cref="OutboxOutcomeSql"/> records what became of them.
/// </summary>
internal static class OutboxClaimSql
{
    /// <summary>Pending, due, not leased by a live sender.</summary>
    internal const string Waiting =
        "status = 'pending' AND next_attempt_at <= now() AND (lease_until IS NULL OR lease_until < now())";

    /// <summary>
    /// Where the messages that may be sent now go: pending, due, not leased by a live sender. A page
    /// goes to its route's webhook (the route comes back, the destination is null); a click answer to
    /// its own <c>destination</c> (the route is null).
    /// </summary>
    public const string WaitingDestinations = $"SELECT DISTINCT kind, route, destination FROM notification_outbox WHERE {Waiting}";

    /// <summary>
    /// Whether the incident of outbox row <c>o</c> still pages (reference §5.6): true when it is neither
    /// acknowledged nor resolved, false when it is either (by anyone: the ops API, a Slack click,
    /// another system's SQL), null when the incident row is gone (its message goes out as it always
    /// did). A scalar subquery on purpose: PostgreSQL keeps it a probe of the unique index on
    /// incident_key for each row that reaches it, where an EXISTS may be planned as a hash join that
    /// reads every closed incident (most of a large table) on every claim.
    /// </summary>
    internal const string IncidentOpen =
        "(SELECT i.acknowledged_at IS NULL AND i.resolved_at IS NULL FROM incidents i WHERE i.incident_key = o.incident_key)";

    /// <summary>What a claimed row comes back as: <see cref="OutboxStore"/> reads these columns in this order.</summary>
    private const string ClaimedColumns =
        "o.id, o.kind, coalesce(o.dedup_key, ''), o.incident_key, coalesce(o.level, 0), coalesce(o.route, ''), coalesce(o.severity, ''), coalesce(o.title, ''), o.attempts, o.body, o.slack_message_id";

    /// <summary>
    /// Leases the next message(s) of each given lane, oldest first: one, or up to <c>@digest_max</c>
    /// when more than <c>@digest_threshold</c> wait for that lane (reference §5.2; at most <c>@peek</c> rows
    /// are counted per route). Lanes come as pairs of <c>@lane_ids</c> and <c>@routes</c>, one pair per
    /// route a lane carries; each row comes back with its lane. One statement serves every lane a
    /// planning pass takes, so a hundred lanes start posting together rather than one claim after another.
    /// No attempt is counted here: a lane that claims and then stops or dies before its post (while it
    /// waits for its webhook's pace) has not tried, and its rows must not creep towards the dead letter
    /// (<see cref="OutboxOutcomeSql.StartPosts"/> counts the attempt as the post starts).
    /// <para>
    /// A click answer goes to its own <c>destination</c>, so its lane is that destination alone
    /// (<c>@answer_lane_ids</c> with <c>@destinations</c>): its oldest waiting answer is claimed, never
    /// digested, never superseded (an answer tells the clicker what happened, whatever happened since).
    /// </para>
    /// <para>
    /// In app mode a channel's lane also carries the rewrites of its messages (<c>@update_lane_ids</c> with
    /// <c>@channels</c>, reference §10.4): its oldest waiting rewrite is claimed only when no page waits for
    /// the lane, so pages go first.
    /// </para>
    /// <para>
    /// Pages that no longer page (reference §5.6) are set aside by the same statement: a waiting row whose
    /// incident is acknowledged or resolved is never leased; it becomes <c>superseded</c> (no lease, no
    /// attempt counted) and comes back with <c>superseded</c> true, for the caller to log. Only open
    /// rows are counted and picked, so a storm that was mostly acknowledged still goes out in full
    /// digests of what is left open. Each route of a lane is walked oldest first through the index on
    /// (route, id), each row's incident probed, until <c>@peek</c> open rows are found
    /// (<c>route_open</c>; the lane's oldest <c>@peek</c> open rows are among its routes' ones). The
    /// closed rows a walk passed on the way (all of them when it found fewer), at most
    /// <c>@supersede_max</c> per route, are the ones set aside (<c>closed_waiting</c>, the same index
    /// range). A closed row is passed by one claim or a few and then leaves the waiting rows, so the
    /// walks stay about <c>@peek</c> rows long however much of a storm was acknowledged.
    /// </para>
    /// <para>
    /// <c>open_waiting</c> is MATERIALIZED on purpose: right after a tick fills the outbox, its statistics
    /// still describe an almost empty table, and an inlined picking CTE was planned as a nested loop
    /// that counted every lane's waiting rows again for each outbox row (14 s for 1,000 rows over 100 lanes).
    /// The walks are LIMITed laterals, so each stays one index walk per route whatever the statistics say.
    /// </para>
    /// </summary>
    public const string ClaimNext =
        $"""
        WITH lane_routes AS (
            SELECT lane_id, route FROM unnest(@lane_ids::text[], @routes::text[]) AS t(lane_id, route)
        ),
        route_open AS MATERIALIZED (
            SELECT lane_routes.lane_id, lane_routes.route, w.id
            FROM lane_routes
            CROSS JOIN LATERAL (
                SELECT o.id FROM notification_outbox o
                WHERE o.route = lane_routes.route AND o.kind = 'page' AND {Waiting} AND {IncidentOpen} IS NOT FALSE
                ORDER BY o.id
                LIMIT @peek) w
        ),
        open_waiting AS MATERIALIZED (
            SELECT lane_id, id,
                   row_number() OVER (PARTITION BY lane_id ORDER BY id) AS nth,
                   count(*) OVER (PARTITION BY lane_id) AS total
            FROM route_open
        ),
        walked AS (
            SELECT lane_routes.lane_id, lane_routes.route, coalesce(last_open.id, 9223372036854775807) AS up_to
            FROM lane_routes
            LEFT JOIN (SELECT route, max(id) AS id FROM route_open GROUP BY route HAVING count(*) >= @peek) last_open
                ON last_open.route = lane_routes.route
        ),
        closed_waiting AS MATERIALIZED (
            SELECT walked.lane_id, c.id
            FROM walked
            CROSS JOIN LATERAL (
                SELECT o.id FROM notification_outbox o
                WHERE o.route = walked.route AND o.kind = 'page' AND o.id < walked.up_to AND {Waiting} AND {IncidentOpen} IS FALSE
                ORDER BY o.id
                LIMIT @supersede_max) c
        ),
        answer_waiting AS MATERIALIZED (
            SELECT DISTINCT ON (d.lane_id) d.lane_id, o.id
            FROM unnest(@answer_lane_ids::text[], @destinations::text[]) AS d(lane_id, destination)
            JOIN notification_outbox o ON o.destination = d.destination
            WHERE o.kind = 'click_answer' AND {Waiting}
            ORDER BY d.lane_id, o.id
        ),
        update_waiting AS MATERIALIZED (
            SELECT DISTINCT ON (d.lane_id) d.lane_id, o.id
            FROM unnest(@update_lane_ids::text[], @channels::text[]) AS d(lane_id, destination)
            JOIN notification_outbox o ON o.destination = d.destination
            WHERE o.kind = 'message_update' AND {Waiting}
              AND NOT EXISTS (SELECT 1 FROM open_waiting w WHERE w.lane_id = d.lane_id)
            ORDER BY d.lane_id, o.id
        ),
        targets AS (
            SELECT lane_id, id, false AS superseded FROM open_waiting
            WHERE nth <= CASE WHEN total > @digest_threshold THEN @digest_max ELSE 1 END
            UNION ALL
            SELECT lane_id, id, true FROM closed_waiting
            UNION ALL
            SELECT lane_id, id, false FROM answer_waiting
            UNION ALL
            SELECT lane_id, id, false FROM update_waiting
        )
        UPDATE notification_outbox o
        SET status = CASE WHEN t.superseded THEN 'superseded' ELSE o.status END,
            superseded_at = CASE WHEN t.superseded THEN now() ELSE o.superseded_at END,
            lease_until = CASE WHEN t.superseded THEN NULL ELSE now() + make_interval(secs => @lease_seconds) END
        FROM targets t
        WHERE o.id = t.id
          AND o.status = 'pending' AND (o.lease_until IS NULL OR o.lease_until < now())
        RETURNING t.lane_id, {ClaimedColumns}, t.superseded
        """;
}
