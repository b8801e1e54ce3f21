-- Limits and poison rows (reference §3.1), and who acknowledged an incident.

ALTER TABLE incidents ADD COLUMN IF NOT EXISTS acknowledged_by  text        NULL;
-- Set by the tick when escalating the row raised a data error; the tick skips the row until it is updated.
ALTER TABLE incidents ADD COLUMN IF NOT EXISTS quarantined_at   timestamptz NULL;
ALTER TABLE incidents ADD COLUMN IF NOT EXISTS quarantine_error text        NULL;

-- At most 1,000 characters per key, refused when a key is written (inserted or changed) with an
-- error naming the rule. A trigger rather than a CHECK constraint: a CHECK, even NOT VALID, is
-- checked again on every UPDATE of a row, so an incident stored earlier with a longer key could
-- then not be acknowledged, escalated or quarantined at all. Rows stored earlier are kept as
-- they are (the migration cannot fail on them): they escalate if they can, else are quarantined.
CREATE OR REPLACE FUNCTION incidents_check_key_length() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF char_length(NEW.incident_key) > 1000 THEN
        RAISE EXCEPTION 'incident_key is % characters long; at most 1000 are allowed', char_length(NEW.incident_key)
            USING ERRCODE = 'check_violation', CONSTRAINT = 'incident_key_at_most_1000_characters', TABLE = 'incidents',
                  COLUMN = 'incident_key';
    END IF;
    RETURN NEW;
END
$$;

DROP TRIGGER IF EXISTS trg_incidents_key_length ON incidents;
CREATE TRIGGER trg_incidents_key_length
    BEFORE INSERT OR UPDATE OF incident_key ON incidents
    FOR EACH ROW EXECUTE FUNCTION incidents_check_key_length();

-- next_due_at as before; and any UPDATE that does not itself set the quarantine lifts it, so a
-- row someone corrected (or acknowledged, or touched to retry it) is tried again by the next tick.
CREATE OR REPLACE FUNCTION incidents_set_next_due() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.next_due_at := escalation_next_due(NEW.severity, NEW.first_seen, NEW.escalation_level,
                                           NEW.last_escalated_at, NEW.acknowledged_at, NEW.resolved_at);
    IF TG_OP = 'UPDATE' AND OLD.quarantined_at IS NOT NULL AND NEW.quarantined_at IS NOT DISTINCT FROM OLD.quarantined_at THEN
        NEW.quarantined_at := NULL;
    END IF;
    IF NEW.quarantined_at IS NULL THEN
        NEW.quarantine_error := NULL;
    END IF;
    RETURN NEW;
END
$$;

-- Health's quarantinedIncidents without scanning incidents (almost always an empty index).
CREATE INDEX IF NOT EXISTS ix_inc_quarantined ON incidents (quarantined_at) WHERE quarantined_at IS NOT NULL;

-- An ops call that changes something is audited before it runs; its status is filled in when it ends.
ALTER TABLE ops_audit ALTER COLUMN http_status DROP NOT NULL;
