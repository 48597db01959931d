-- A staff member is never booked twice at once. SQLite has one writer at a time, so a trigger
-- that looks for an overlapping booked appointment decides race-free. Mirrors the exclusion
-- constraint in migrations/postgres/0002_no_double_booking.sql.

CREATE TRIGGER appointments_no_overlap_insert
BEFORE INSERT ON appointments
WHEN NEW.status = 'booked' AND NEW.staff_id IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'appointment_overlap: the staff member is already booked at that time')
    WHERE EXISTS (
        SELECT 1 FROM appointments a
        WHERE a.staff_id = NEW.staff_id AND a.status = 'booked'
          AND a.starts_at < NEW.ends_at AND NEW.starts_at < a.ends_at
    );
END;

CREATE TRIGGER appointments_no_overlap_update
BEFORE UPDATE OF staff_id, starts_at, ends_at, status ON appointments
WHEN NEW.status = 'booked' AND NEW.staff_id IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'appointment_overlap: the staff member is already booked at that time')
    WHERE EXISTS (
        SELECT 1 FROM appointments a
        WHERE a.id <> NEW.id AND a.staff_id = NEW.staff_id AND a.status = 'booked'
          AND a.starts_at < NEW.ends_at AND NEW.starts_at < a.ends_at
    );
END;
