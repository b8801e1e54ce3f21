-- The outbox's own guard against a second Slack message for one escalation: unique per
-- (incident_key, level) instead of per dedup_key.
--
-- Both say the same thing (dedup_key is the SHA-256 of incident_key and level), but a SHA-256 is
-- random, so every escalation inserted into a random leaf of a unique index as large as the outbox:
-- once the outbox held a million rows, that insert (and the full-page image it writes after each
-- checkpoint) cost about a fifth of the tick's time (docs/performance.md). Incident keys that arrive in
-- order land in the index's recent pages instead, and this index also serves the runbook's
-- "what happened to one incident" query. escalation_events keeps its UNIQUE (unique_hash), which
-- the spec requires and the tick's ON CONFLICT uses.
CREATE UNIQUE INDEX IF NOT EXISTS ux_outbox_incident_level ON notification_outbox (incident_key, level);
ALTER TABLE notification_outbox DROP CONSTRAINT IF EXISTS notification_outbox_dedup_key_key;
