-- Scheduling, part two. Mirrors migrations/postgres/0003_holds_and_slot_rules.sql.
--
-- 1. How a company's local calendar lays out slots (step, buffer, minimum notice).
-- 2. A slot is held by at most one call at a time: a hold may not overlap another call's
--    unexpired hold of the same staff member ("unexpired" as of the new hold's creation).
-- 3. The no-double-booking rule covers the local calendar only; Cal.com mirrors are kept as
--    Cal.com answered them.

ALTER TABLE companies ADD COLUMN slot_step_min   INTEGER NOT NULL DEFAULT 15 CHECK (slot_step_min BETWEEN 5 AND 240);
ALTER TABLE companies ADD COLUMN slot_buffer_min INTEGER NOT NULL DEFAULT 0 CHECK (slot_buffer_min BETWEEN 0 AND 240);
ALTER TABLE companies ADD COLUMN min_notice_min  INTEGER NOT NULL DEFAULT 60 CHECK (min_notice_min BETWEEN 0 AND 43200);

CREATE TRIGGER slot_holds_no_overlap_insert
BEFORE INSERT ON slot_holds
WHEN NEW.staff_id IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'appointment_overlap: the time is held by another call')
    WHERE EXISTS (
        SELECT 1 FROM slot_holds h
        WHERE h.staff_id = NEW.staff_id AND h.expires_at > NEW.created_at
          AND h.starts_at < NEW.ends_at AND NEW.starts_at < h.ends_at
    );
END;

DROP TRIGGER appointments_no_overlap_insert;
DROP TRIGGER appointments_no_overlap_update;

CREATE TRIGGER appointments_no_overlap_insert
BEFORE INSERT ON appointments
WHEN NEW.status = 'booked' AND NEW.staff_id IS NOT NULL AND NEW.backend = 'local'
BEGIN
    SELECT RAISE(ABORT, 'appointment_overlap: the staff member is already booked at that time')
    WHERE EXISTS (
        SELECT 1 FROM appointments a
        WHERE a.staff_id = NEW.staff_id AND a.status = 'booked' AND a.backend = 'local'
          AND a.starts_at < NEW.ends_at AND NEW.starts_at < a.ends_at
    );
END;

CREATE TRIGGER appointments_no_overlap_update
BEFORE UPDATE OF staff_id, starts_at, ends_at, status ON appointments
WHEN NEW.status = 'booked' AND NEW.staff_id IS NOT NULL AND NEW.backend = 'local'
BEGIN
    SELECT RAISE(ABORT, 'appointment_overlap: the staff member is already booked at that time')
    WHERE EXISTS (
        SELECT 1 FROM appointments a
        WHERE a.id <> NEW.id AND a.staff_id = NEW.staff_id AND a.status = 'booked' AND a.backend = 'local'
          AND a.starts_at < NEW.ends_at AND NEW.starts_at < a.ends_at
    );
END;

CREATE INDEX appointments_call ON appointments (company_id, call_id) WHERE call_id IS NOT NULL;
