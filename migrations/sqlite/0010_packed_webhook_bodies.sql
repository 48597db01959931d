-- Webhook bodies are stored LZ4-compressed (src/store/payload.rs): webhook_events.payload now
-- holds bytes. SQLite keeps a BLOB as a BLOB in this TEXT column (type affinity converts only
-- numbers), so the table is not rebuilt: rows from before keep their body as text, new rows
-- hold BLOBs, and the reader takes both. (PostgreSQL's 0010 changes the column to BYTEA.)
SELECT 1;
