-- The availability check reads a branch's booked appointments in a time range. A partial index
-- over booked rows that holds every column the read needs answers it from the index alone,
-- without a table lookup per appointment (measured: about half the read's time on SQLite).
CREATE INDEX appointments_busy ON appointments (company_id, branch_id, starts_at, ends_at, staff_id)
    WHERE status = 'booked';
