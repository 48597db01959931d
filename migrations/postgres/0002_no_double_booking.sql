-- A staff member is never booked twice at once, enforced by the database for every daemon
-- sharing it: an exclusion constraint over (staff, time range) for booked appointments.
-- btree_gist is a trusted extension (PostgreSQL 13+), so the database owner may create it.
-- Mirrors the triggers in migrations/sqlite/0002_no_double_booking.sql.

CREATE EXTENSION IF NOT EXISTS btree_gist;

ALTER TABLE appointments
    ADD CONSTRAINT appointments_no_overlap
    EXCLUDE USING gist (staff_id WITH =, int8range(starts_at, ends_at) WITH &&)
    WHERE (status = 'booked' AND staff_id IS NOT NULL);
