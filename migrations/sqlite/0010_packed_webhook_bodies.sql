-- Webhook bodies are stored LZ4-compressed (src/store/payload.rs): the payload column holds
-- bytes. Rows from before keep their body as it arrived, as text; the reader takes both.
-- SQLite cannot change a column's type in place, so the table is rebuilt with the same rows.
CREATE TABLE webhook_events_packed (
    id           INTEGER PRIMARY KEY,
    company_id   INTEGER REFERENCES companies (id) ON DELETE CASCADE,
    source       TEXT    NOT NULL CHECK (source IN ('retell', 'calcom')),
    event        TEXT    NOT NULL,
    external_id  TEXT,
    dedupe_key   TEXT    NOT NULL UNIQUE,
    payload      BLOB    NOT NULL,
    status       TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'processed', 'failed', 'ignored')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT,
    received_at  INTEGER NOT NULL,
    processed_at INTEGER
);
INSERT INTO webhook_events_packed SELECT id, company_id, source, event, external_id, dedupe_key, payload, status,
    attempts, last_error, received_at, processed_at FROM webhook_events;
DROP TABLE webhook_events;
ALTER TABLE webhook_events_packed RENAME TO webhook_events;
CREATE INDEX webhook_events_status ON webhook_events (status, received_at);
