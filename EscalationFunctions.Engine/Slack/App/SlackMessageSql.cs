using EscalationFunctions.Engine.Slack.Outbox;

namespace EscalationFunctions.Engine.Slack.App;

/// <summary>
/// The SQL of app mode's memory of posted messages (<c>slack_messages</c>, reference §10.2, §10.4): where
/// an incident's thread is, what each message shows, and the rewrites owed when an incident is
/// acknowledged or resolved.
/// </summary>
internal static class SlackMessageSql
{
    /// <summary>An incident's thread in a channel: its first single page there (top level).</summary>
    public const string ThreadRoot =
        """
        SELECT m.ts
        FROM slack_message_incidents mi
        JOIN slack_messages m ON m.id = mi.message_id
        WHERE mi.incident_key = @incident_key AND m.channel = @channel AND NOT m.is_digest AND m.thread_ts IS NULL
        ORDER BY m.id
        LIMIT 1
        """;

    /// <summary>
    /// Posted: the outbox rows are sent and the message is remembered with the incidents it shows, in
    /// one statement (a crash leaves both or neither). A message Slack already has under that ts (the
    /// same post recorded twice) is kept as it was.
    /// </summary>
    public const string RecordPosted =
        $"""
        WITH sent AS (
            UPDATE notification_outbox
            SET {OutboxOutcomeSql.SentColumns}
            WHERE id = ANY(@ids)
            RETURNING id
        ),
        message AS (
            INSERT INTO slack_messages (channel, ts, thread_ts, is_digest, shows)
            SELECT @channel, @ts, @thread_ts, @is_digest, @shows::jsonb
            WHERE EXISTS (SELECT 1 FROM sent)
            ON CONFLICT (channel, ts) DO NOTHING
            RETURNING id
        )
        INSERT INTO slack_message_incidents (message_id, incident_key)
        SELECT message.id, k.key FROM message, unnest(@incident_keys::text[]) AS k(key)
        ON CONFLICT DO NOTHING
        """;

    /// <summary>
    /// Before a rewrite is composed: the other rewrites of the same message still waiting fold into it
    /// (reference §10.4: many changes, one update), since it is composed from the states as they are now.
    /// Rewrites queued after this read those states too and are posted after it.
    /// </summary>
    public const string FoldRewrites =
        """
        UPDATE notification_outbox
        SET status = 'superseded', superseded_at = now(), lease_until = NULL
        WHERE kind = 'message_update' AND slack_message_id = @slack_message_id AND id <> @id
          AND status = 'pending' AND (lease_until IS NULL OR lease_until < now())
        """;

    /// <summary>A message to rewrite, and the state of each incident it shows (rows: one per incident).</summary>
    public const string ReadForRewrite =
        """
        SELECT m.channel, m.ts, m.is_digest, m.shows::text, mi.incident_key, i.acknowledged_by, i.acknowledged_at, i.resolved_at
        FROM slack_messages m
        JOIN slack_message_incidents mi ON mi.message_id = m.id
        LEFT JOIN incidents i ON i.incident_key = mi.incident_key
        WHERE m.id = @slack_message_id
        """;

    /// <summary>Rewritten: the outbox row is sent and the message notes when.</summary>
    public const string RecordRewritten =
        $"""
        WITH sent AS (
            UPDATE notification_outbox
            SET {OutboxOutcomeSql.SentColumns}
            WHERE id = ANY(@ids)
            RETURNING slack_message_id
        )
        UPDATE slack_messages SET updated_at = now() WHERE id IN (SELECT slack_message_id FROM sent)
        """;

    /// <summary>
    /// Once a tick (reference §10.4): every message that still shows an acknowledged or resolved incident as
    /// open gets one rewrite queued for its channel, and the incident is noted as shown closed, in one
    /// statement. Only the rows of <c>ix_slack_message_incidents_open</c> are read (the messages of open
    /// incidents, a few each), each probing the incident by its key, so the cost does not grow with
    /// the incidents or messages that are done. Returns the rewrites queued.
    /// </summary>
    public const string QueueRewrites =
        """
        WITH closed AS (
            UPDATE slack_message_incidents mi
            SET shown_as = CASE WHEN i.resolved_at IS NOT NULL THEN 'resolved' ELSE 'acknowledged' END
            FROM incidents i
            WHERE mi.shown_as = 'open' AND i.incident_key = mi.incident_key
              AND (i.acknowledged_at IS NOT NULL OR i.resolved_at IS NOT NULL)
            RETURNING mi.message_id, mi.incident_key
        ),
        messages AS (
            SELECT DISTINCT ON (message_id) message_id, incident_key FROM closed ORDER BY message_id, incident_key
        )
        INSERT INTO notification_outbox (kind, incident_key, destination, slack_message_id)
        SELECT 'message_update', messages.incident_key, m.channel, m.id
        FROM messages JOIN slack_messages m ON m.id = messages.message_id
        ORDER BY m.id
        RETURNING id
        """;

    /// <summary>Slack refused the token: returns a row only for the call that found it working (the failure starts now).</summary>
    public const string AuthFailing =
        """
        UPDATE slack_app_state SET auth_failing_since = now(), auth_error = @error
        WHERE id = 1 AND auth_failing_since IS NULL
        RETURNING 1
        """;

    /// <summary>A post went through: returns how long the token had been refused, only for the call that ends the failure.</summary>
    public const string AuthWorks =
        """
        UPDATE slack_app_state s SET auth_failing_since = NULL, auth_error = NULL
        FROM slack_app_state before
        WHERE s.id = 1 AND before.id = 1 AND s.auth_failing_since IS NOT NULL
        RETURNING extract(epoch FROM now() - before.auth_failing_since)::float8
        """;

    /// <summary>For health and status: whether Slack refuses the token now, and since when.</summary>
    public const string ReadAuthState = "SELECT auth_failing_since, auth_error FROM slack_app_state WHERE id = 1";
}
