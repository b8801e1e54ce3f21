-- Pages that no longer page (reference §5.6): an outbox row whose incident was acknowledged or
-- resolved before its post started is not posted; it ends 'superseded' (not a failure, not dead,
-- not pending). status: pending -> sent | dead | superseded.
-- Every statement is idempotent, so a half-applied run can simply be applied again; the runner's
-- advisory lock makes instances that start together apply it once.

-- When the sender set the row aside (its claim, or its check right before the post).
ALTER TABLE notification_outbox ADD COLUMN IF NOT EXISTS superseded_at timestamptz NULL;

-- The status CHECK of 0001 (PostgreSQL named it notification_outbox_status_check) gains 'superseded'.
-- NOT VALID: every row already stored passed the old CHECK, a subset of this one, so scanning the
-- whole outbox under the ACCESS EXCLUSIVE lock this ALTER takes (seconds on a large outbox, while
-- instances of the previous version keep delivering) would prove nothing; new and updated rows are
-- checked all the same.
ALTER TABLE notification_outbox DROP CONSTRAINT IF EXISTS notification_outbox_status_check;
ALTER TABLE notification_outbox ADD CONSTRAINT notification_outbox_status_check
    CHECK (status IN ('pending', 'sent', 'dead', 'superseded')) NOT VALID;

-- Health's supersededNotifications and the status command count recent supersedes from here,
-- without reading the sent rows (a partial index, like ix_outbox_dead).
CREATE INDEX IF NOT EXISTS ix_outbox_superseded ON notification_outbox (superseded_at) WHERE status = 'superseded';
