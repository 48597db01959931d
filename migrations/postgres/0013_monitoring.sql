-- Monitoring (`monitoring:configure-alerts`, `monitoring:health-check --alert`). Mirrors
-- migrations/sqlite/0013_monitoring.sql.
--
-- 1. An alert about the installation belongs to no company: notification_outbox.company_id may
--    be NULL (queries that serve a company keep asking `company_id = $1`, which no such row
--    matches).
-- 2. alerts_sent: when each breach (`scope/name` of a health check) was last alerted, so one
--    breach is alerted at most once an hour. Installation-wide, like alert_settings.

ALTER TABLE notification_outbox ALTER COLUMN company_id DROP NOT NULL;

CREATE TABLE alerts_sent (
    breach  TEXT   PRIMARY KEY,
    sent_at BIGINT NOT NULL
);
