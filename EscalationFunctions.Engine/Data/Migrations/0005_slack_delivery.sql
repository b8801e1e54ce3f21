-- Slack delivery across instances (reference §5.1–§5.3).

-- One row per webhook: who may post to it now, and when it may next be posted to. A webhook is
-- posted to only by the holder of its lane (token, until lease_until), and never before
-- next_free_at, which every answer pushes to now() + SLACK_MIN_INTERVAL_MS (or a 429's Retry-After),
-- so posts to one webhook stay spaced whatever the number of instances.
-- webhook_id is the SHA-256 hex of the webhook URL: the URL itself is a secret and never stored.
CREATE TABLE IF NOT EXISTS slack_webhook_lanes (
    webhook_id    text        PRIMARY KEY,
    token         uuid        NULL,
    lease_until   timestamptz NOT NULL DEFAULT '-infinity',
    next_free_at  timestamptz NOT NULL DEFAULT '-infinity'
);

-- When a message was dead-lettered (reference §5.3: a refused message is dead at once).
ALTER TABLE notification_outbox ADD COLUMN IF NOT EXISTS dead_at timestamptz NULL;

-- A lane takes its webhook's due messages oldest first, by route: a storm on one route is read
-- from here instead of from every pending row.
CREATE INDEX IF NOT EXISTS ix_outbox_pending_route ON notification_outbox (route, id) WHERE status = 'pending';
