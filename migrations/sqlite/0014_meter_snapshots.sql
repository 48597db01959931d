-- The daemon's counters of where its time goes in the database (src/meter.rs), saved every
-- minute and when it stops, so that `performance:analyze` reads them without a daemon running.
-- One row per daemon process and UTC day (`host:pid:start:day`), holding what that day counted;
-- installation-wide, like alert_settings.
-- Rows older than a week are removed as new ones are saved. Mirrors migrations/postgres/0014_meter_snapshots.sql.

CREATE TABLE meter_snapshots (
    instance TEXT   PRIMARY KEY,
    taken_at INTEGER NOT NULL,
    snapshot TEXT   NOT NULL
);
CREATE INDEX meter_snapshots_taken ON meter_snapshots (taken_at);
