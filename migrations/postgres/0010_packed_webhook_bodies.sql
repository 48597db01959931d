-- Webhook bodies are stored LZ4-compressed (src/store/payload.rs): the payload column holds
-- bytes. Rows from before keep their body as it arrived, as UTF-8; the reader takes both.
-- EXTERNAL: kept out of line without PostgreSQL's own compression, which would gain nothing.
ALTER TABLE webhook_events ALTER COLUMN payload TYPE BYTEA USING convert_to(payload, 'UTF8');
ALTER TABLE webhook_events ALTER COLUMN payload SET STORAGE EXTERNAL;
