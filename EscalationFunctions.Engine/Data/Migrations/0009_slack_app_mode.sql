-- Slack app mode (reference §10): messages posted through the Web API are remembered, so that an
-- incident's later pages reply in its thread and its messages are rewritten when it is acknowledged
-- or resolved. Every statement is idempotent and the runner's advisory lock applies it once.

-- One row per message the app posted: where it is (channel and ts, as Slack returned them), the
-- thread it replies in (null: top level) and the escalations it shows, in the order it shows them
-- ([{dedup_key, incident_key, level, route, severity, title}]), so a rewrite can render it again.
CREATE TABLE IF NOT EXISTS slack_messages (
    id          bigserial   PRIMARY KEY,
    channel     text        NOT NULL,
    ts          text        NOT NULL,
    thread_ts   text        NULL,
    is_digest   boolean     NOT NULL,
    shows       jsonb       NOT NULL,
    posted_at   timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NULL,
    CONSTRAINT slack_messages_channel_ts_key UNIQUE (channel, ts)
);

-- Each incident a message shows, and the state it shows it in (or will, once the rewrite queued for
-- it is posted): 'open' until the tick after the incident was acknowledged or resolved.
CREATE TABLE IF NOT EXISTS slack_message_incidents (
    message_id    bigint NOT NULL REFERENCES slack_messages (id) ON DELETE CASCADE,
    incident_key  text   NOT NULL,
    shown_as      text   NOT NULL DEFAULT 'open' CHECK (shown_as IN ('open', 'acknowledged', 'resolved')),
    PRIMARY KEY (message_id, incident_key)
);

-- An incident's thread: its first single page in a channel.
CREATE INDEX IF NOT EXISTS ix_slack_message_incidents_key ON slack_message_incidents (incident_key);

-- The messages that still show an incident as open: each tick reads only these (a few rows per open
-- incident), however many incidents and messages the tables hold.
CREATE INDEX IF NOT EXISTS ix_slack_message_incidents_open ON slack_message_incidents (incident_key) WHERE shown_as = 'open';

-- A third kind of outgoing message: the rewrite of a posted message (chat.update), composed when it
-- is posted from the message's row and its incidents' states. destination is the channel.
ALTER TABLE notification_outbox ADD COLUMN IF NOT EXISTS slack_message_id bigint NULL REFERENCES slack_messages (id) ON DELETE CASCADE;
ALTER TABLE notification_outbox DROP CONSTRAINT IF EXISTS notification_outbox_kind_check;
ALTER TABLE notification_outbox ADD CONSTRAINT notification_outbox_kind_check
    CHECK (kind IN ('page', 'click_answer', 'message_update')) NOT VALID;
ALTER TABLE notification_outbox DROP CONSTRAINT IF EXISTS notification_outbox_destination_check;
ALTER TABLE notification_outbox ADD CONSTRAINT notification_outbox_destination_check
    CHECK (kind = 'page' OR status <> 'pending' OR (destination IS NOT NULL AND (body IS NOT NULL OR kind = 'message_update')))
    NOT VALID;
ALTER TABLE notification_outbox DROP CONSTRAINT IF EXISTS notification_outbox_update_check;
ALTER TABLE notification_outbox ADD CONSTRAINT notification_outbox_update_check
    CHECK (kind <> 'message_update' OR slack_message_id IS NOT NULL) NOT VALID;

-- Whether Slack refuses the app's token (invalid_auth, token_revoked, ...): one row, shared by every
-- instance, so the failure is logged once when it starts and once when it ends, and health shows it.
CREATE TABLE IF NOT EXISTS slack_app_state (
    id                  int         PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    auth_failing_since  timestamptz NULL,
    auth_error          text        NULL
);
INSERT INTO slack_app_state (id) VALUES (1) ON CONFLICT (id) DO NOTHING;

-- A rewrite folds the others of its message still waiting (reference §10.4).
CREATE INDEX IF NOT EXISTS ix_outbox_pending_rewrite ON notification_outbox (slack_message_id)
    WHERE kind = 'message_update' AND status = 'pending';
