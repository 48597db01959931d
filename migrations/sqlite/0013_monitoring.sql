-- Monitoring (`monitoring:configure-alerts`, `monitoring:health-check --alert`). Mirrors
-- migrations/postgres/0013_monitoring.sql.
--
-- 1. An alert about the installation belongs to no company: notification_outbox.company_id may
--    be NULL (queries that serve a company keep asking `company_id = $1`, which no such row
--    matches). SQLite cannot drop NOT NULL, so the table is rebuilt.
-- 2. alerts_sent: when each breach (`scope/name` of a health check) was last alerted, so one
--    breach is alerted at most once an hour. Installation-wide, like alert_settings.

CREATE TABLE notification_outbox_new (
    id          INTEGER PRIMARY KEY,
    company_id  INTEGER REFERENCES companies (id) ON DELETE CASCADE,
    channel     TEXT    NOT NULL CHECK (channel IN ('email', 'sms', 'whatsapp', 'portal', 'webhook')),
    target      TEXT    NOT NULL,
    subject     TEXT,
    body        TEXT    NOT NULL,
    status      TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,
    created_at  INTEGER NOT NULL,
    sent_at     INTEGER
);
INSERT INTO notification_outbox_new
SELECT id, company_id, channel, target, subject, body, status, attempts, last_error, created_at, sent_at
FROM notification_outbox;
DROP TABLE notification_outbox;
ALTER TABLE notification_outbox_new RENAME TO notification_outbox;
CREATE INDEX notification_outbox_status ON notification_outbox (status, created_at);

CREATE TABLE alerts_sent (
    breach  TEXT    PRIMARY KEY,
    sent_at INTEGER NOT NULL
);
