-- Everything keyed by a Retell call id is keyed within its company. Mirrors
-- migrations/postgres/0011_company_scoped_calls.sql.
--
-- 1. A delivery is a duplicate of an earlier one of the same company only: another company's
--    event for the same call id is its own (webhook_events: UNIQUE (company_id, dedupe_key)).
-- 2. A call record belongs to one company; another company's events for the same call id make
--    their own record (calls: UNIQUE (company_id, retell_call_id)).
-- 3. A function call is claimed before it runs (`response` NULL until it answers, the claim held
--    until `claimed_until`), and answered once per (company, call, name, arguments); `attempts`
--    counts the runs, so a run that takes over an abandoned claim knows it resumes one.
--
-- SQLite cannot drop a column's UNIQUE constraint, so the three tables are rebuilt.

CREATE TABLE webhook_events_new (
    id           INTEGER PRIMARY KEY,
    company_id   INTEGER REFERENCES companies (id) ON DELETE CASCADE,
    source       TEXT    NOT NULL CHECK (source IN ('retell', 'calcom')),
    event        TEXT    NOT NULL,
    external_id  TEXT,
    dedupe_key   TEXT    NOT NULL,
    payload      TEXT    NOT NULL,
    status       TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'processed', 'failed', 'ignored')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT,
    received_at  INTEGER NOT NULL,
    processed_at INTEGER,
    UNIQUE (company_id, dedupe_key)
);
INSERT INTO webhook_events_new
SELECT id, company_id, source, event, external_id, dedupe_key, payload, status, attempts, last_error, received_at,
       processed_at
FROM webhook_events;
DROP TABLE webhook_events;
ALTER TABLE webhook_events_new RENAME TO webhook_events;
CREATE INDEX webhook_events_status ON webhook_events (status, received_at);

CREATE TABLE calls_new (
    id                   INTEGER PRIMARY KEY,
    company_id           INTEGER NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    branch_id            INTEGER REFERENCES branches (id) ON DELETE SET NULL,
    retell_call_id       TEXT    NOT NULL,
    agent_id             TEXT,
    from_number          TEXT,
    to_number            TEXT,
    direction            TEXT,
    status               TEXT,
    started_at           INTEGER,
    ended_at             INTEGER,
    duration_ms          INTEGER,
    disconnection_reason TEXT,
    customer_id          INTEGER REFERENCES customers (id) ON DELETE SET NULL,
    booked               BOOLEAN NOT NULL DEFAULT FALSE,
    service_predicted    BOOLEAN NOT NULL DEFAULT FALSE,
    summary              TEXT,
    sentiment            TEXT,
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL,
    UNIQUE (company_id, retell_call_id)
);
INSERT INTO calls_new
SELECT id, company_id, branch_id, retell_call_id, agent_id, from_number, to_number, direction, status, started_at,
       ended_at, duration_ms, disconnection_reason, customer_id, booked, service_predicted, summary, sentiment,
       created_at, updated_at
FROM calls;
DROP TABLE calls;
ALTER TABLE calls_new RENAME TO calls;
CREATE INDEX calls_company_time ON calls (company_id, started_at);

CREATE TABLE function_calls_new (
    id            INTEGER PRIMARY KEY,
    company_id    INTEGER NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    call_id       TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    args_hash     TEXT    NOT NULL,
    response      TEXT,
    claimed_until INTEGER,
    attempts      INTEGER NOT NULL DEFAULT 1,
    created_at    INTEGER NOT NULL,
    UNIQUE (company_id, call_id, name, args_hash)
);
INSERT INTO function_calls_new (id, company_id, call_id, name, args_hash, response, created_at)
SELECT id, company_id, call_id, name, args_hash, response, created_at FROM function_calls;
DROP TABLE function_calls;
ALTER TABLE function_calls_new RENAME TO function_calls;
CREATE INDEX function_calls_company ON function_calls (company_id, created_at);
