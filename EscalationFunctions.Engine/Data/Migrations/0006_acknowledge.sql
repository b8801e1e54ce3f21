-- Acknowledge from the ops API and from Slack (reference §6.2, §9).

-- incidents.acknowledged_by, who acknowledged, comes from migration 0004.

-- Answers to Slack clicks, posted to the click's response_url after the click was answered. A row
-- is written in the acknowledgement's own transaction, before Slack gets its 200, so an instance
-- that stops right after answering loses nothing: any instance's sender delivers it. response_url
-- is a bearer token for the channel (30 minutes, 5 uses): it is cleared once the row is done.
CREATE TABLE IF NOT EXISTS slack_replies (
    id               bigserial   PRIMARY KEY,
    incident_key     text        NOT NULL,
    response_url     text        NULL,
    body             text        NOT NULL,
    status           text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'dead')),
    attempts         integer     NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    lease_until      timestamptz NULL,
    last_error       text        NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    done_at          timestamptz NULL
);
CREATE INDEX IF NOT EXISTS ix_slack_replies_pending ON slack_replies (next_attempt_at) WHERE status = 'pending';
