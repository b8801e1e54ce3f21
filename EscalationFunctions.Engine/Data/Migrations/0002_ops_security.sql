-- Ops endpoints (reference §6): audit, signature replay protection and rate limiting, shared by every
-- instance through the database.

-- Every ops call: who, what, outcome. Never a secret, a signature or a request body.
CREATE TABLE IF NOT EXISTS ops_audit (
    id           bigserial        PRIMARY KEY,
    at           timestamptz      NOT NULL DEFAULT now(),
    instance_id  text             NOT NULL,
    caller       text             NOT NULL,   -- principal name; 'anonymous' when refused before it was known
    endpoint     text             NOT NULL,   -- tick | recalc | health
    outcome      text             NOT NULL,   -- 'ok' or the error code answered
    http_status  integer          NOT NULL,
    remote_addr  text             NULL,
    duration_ms  double precision NOT NULL,
    details      jsonb            NOT NULL DEFAULT '{}'::jsonb   -- the tick's or recalc's counts
);
CREATE INDEX IF NOT EXISTS ix_ops_audit_at ON ops_audit (at);

-- Signatures already accepted, by the SHA-256 of the signature (the signature itself is not kept).
-- A signature is accepted once, on any endpoint and any instance. Rows outlive the 300 s
-- timestamp window with room for clock differences, then are pruned.
CREATE TABLE IF NOT EXISTS ops_signatures_seen (
    signature_hash  text        PRIMARY KEY,
    seen_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS ix_ops_signatures_seen_at ON ops_signatures_seen (seen_at);

-- Sliding-window rate limit: one row per accepted call, per caller and endpoint.
CREATE TABLE IF NOT EXISTS ops_rate_limit_hits (
    caller    text        NOT NULL,
    endpoint  text        NOT NULL,
    at        timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_ops_rate_limit_hits ON ops_rate_limit_hits (caller, endpoint, at);
CREATE INDEX IF NOT EXISTS ix_ops_rate_limit_hits_at ON ops_rate_limit_hits (at);

-- Counts a call if the caller has fewer than p_limit calls to p_endpoint within p_window.
-- Returns 0 when the call is allowed (and counted), else the seconds until the oldest counted
-- call leaves the window. A transaction-scoped advisory lock per (caller, endpoint) makes
-- concurrent calls from several instances count one after the other.
CREATE OR REPLACE FUNCTION ops_rate_limit_take(p_caller text, p_endpoint text, p_limit integer, p_window interval)
RETURNS double precision
LANGUAGE plpgsql AS $$
DECLARE
    v_now    timestamptz;
    v_count  integer;
    v_oldest timestamptz;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended(p_caller || '|' || p_endpoint, 7));
    v_now := clock_timestamp();
    DELETE FROM ops_rate_limit_hits WHERE at <= v_now - greatest(p_window, interval '10 minutes');
    SELECT count(*), min(at) INTO v_count, v_oldest
    FROM ops_rate_limit_hits
    WHERE caller = p_caller AND endpoint = p_endpoint AND at > v_now - p_window;
    IF v_count >= p_limit THEN
        RETURN greatest(extract(epoch FROM v_oldest + p_window - v_now), 0.001);
    END IF;
    INSERT INTO ops_rate_limit_hits (caller, endpoint, at) VALUES (p_caller, p_endpoint, v_now);
    RETURN 0;
END
$$;

-- The age of the oldest unsent Slack message (health, queue_lag_ms) without reading every pending row.
CREATE INDEX IF NOT EXISTS ix_outbox_pending_age ON notification_outbox (created_at) WHERE status = 'pending';
