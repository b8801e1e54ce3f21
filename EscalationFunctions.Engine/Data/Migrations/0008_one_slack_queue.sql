-- One queue for everything sent to Slack (reference §5.7): the answers to Slack clicks, until now
-- rows of their own table (slack_replies, 0006) with a copy of the outbox's lifecycle, become rows
-- of notification_outbox with kind 'click_answer'. One claim, one lease, one outcome rule and one
-- sender serve every kind; health, status, queue_lag_ms and the dead-letter alert count them all.
-- Every statement is idempotent and the runner's advisory lock applies it once.

-- What a row is: 'page' (an escalation, composed when it is posted, alone or in a digest) or
-- 'click_answer' (prepared when the click was answered, posted to the click's response_url).
-- Adding a column with a constant default rewrites nothing.
ALTER TABLE notification_outbox ADD COLUMN IF NOT EXISTS kind text NOT NULL DEFAULT 'page';
ALTER TABLE notification_outbox DROP CONSTRAINT IF EXISTS notification_outbox_kind_check;
ALTER TABLE notification_outbox ADD CONSTRAINT notification_outbox_kind_check
    CHECK (kind IN ('page', 'click_answer')) NOT VALID;

-- Where a row goes when it is not its route's webhook: a click answer's response_url. That URL is a
-- bearer token for the channel (30 minutes, 5 uses), so it is cleared once the row is done.
ALTER TABLE notification_outbox ADD COLUMN IF NOT EXISTS destination text NULL;
-- The JSON to post, for rows prepared when queued (click answers); pages are composed when posted.
ALTER TABLE notification_outbox ADD COLUMN IF NOT EXISTS body text NULL;
-- After this a failed attempt is not tried again (Slack accepts a response_url for 30 minutes).
ALTER TABLE notification_outbox ADD COLUMN IF NOT EXISTS expires_at timestamptz NULL;

-- A click answer is no escalation: it has no level, route, severity, title or dedup key. Dropping
-- NOT NULL is a catalogue change; the CHECK keeps pages whole (NOT VALID: every stored row is a page
-- that had them all).
ALTER TABLE notification_outbox ALTER COLUMN dedup_key DROP NOT NULL;
ALTER TABLE notification_outbox ALTER COLUMN level DROP NOT NULL;
ALTER TABLE notification_outbox ALTER COLUMN route DROP NOT NULL;
ALTER TABLE notification_outbox ALTER COLUMN severity DROP NOT NULL;
ALTER TABLE notification_outbox ALTER COLUMN title DROP NOT NULL;
ALTER TABLE notification_outbox DROP CONSTRAINT IF EXISTS notification_outbox_page_check;
ALTER TABLE notification_outbox ADD CONSTRAINT notification_outbox_page_check
    CHECK (kind <> 'page' OR (dedup_key IS NOT NULL AND level IS NOT NULL AND route IS NOT NULL AND severity IS NOT NULL AND title IS NOT NULL))
    NOT VALID;
ALTER TABLE notification_outbox DROP CONSTRAINT IF EXISTS notification_outbox_destination_check;
ALTER TABLE notification_outbox ADD CONSTRAINT notification_outbox_destination_check
    CHECK (kind = 'page' OR status <> 'pending' OR (destination IS NOT NULL AND body IS NOT NULL))
    NOT VALID;

-- A lane takes its destination's waiting rows: pages by route (ix_outbox_pending_route, 0005),
-- click answers by their response_url (few, short-lived rows).
CREATE INDEX IF NOT EXISTS ix_outbox_pending_destination ON notification_outbox (destination, id)
    WHERE status = 'pending' AND destination IS NOT NULL;

-- The answers still in slack_replies move over as they are: pending ones stay pending (with their
-- attempts and retry time), done ones keep their outcome for the runbook's queries. A lease held by
-- a sender of the previous version is not carried over: that sender can no longer record its outcome
-- here, so the row is simply posted again (Slack replaces the same message with the same content).
-- The key of an unknown incident (a click's value is the sender's text, up to a megabyte) is cut
-- to 200 characters: it is only shown in logs, and the outbox's index on (incident_key, level) could
-- not hold it whole. A known incident's key fits that index as it fits the incidents' own.
DO $$
BEGIN
    IF to_regclass('slack_replies') IS NOT NULL THEN
        INSERT INTO notification_outbox (kind, incident_key, destination, body, status, attempts, next_attempt_at,
                                         last_error, created_at, sent_at, dead_at, expires_at)
        SELECT 'click_answer',
               CASE WHEN length(r.incident_key) <= 200 OR EXISTS (SELECT 1 FROM incidents i WHERE i.incident_key = r.incident_key)
                    THEN r.incident_key ELSE left(r.incident_key, 200) END, r.response_url, r.body,
               CASE WHEN r.status = 'pending' AND r.response_url IS NULL THEN 'dead' ELSE r.status END,
               r.attempts, r.next_attempt_at, r.last_error, r.created_at,
               CASE WHEN r.status = 'sent' THEN r.done_at END,
               CASE WHEN r.status = 'dead' THEN r.done_at WHEN r.response_url IS NULL THEN now() END,
               r.created_at + interval '30 minutes'
        FROM slack_replies r
        ORDER BY r.id;
        DROP TABLE slack_replies;
    END IF;
END
$$;
