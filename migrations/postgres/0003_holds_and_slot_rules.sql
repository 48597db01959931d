-- Scheduling, part two.
--
-- 1. How a company's local calendar lays out slots: step between start times, buffer kept free
--    around every appointment, and minimum notice before the first bookable start.
-- 2. A slot is held by at most one call at a time: holds of one staff member never overlap.
--    Expired holds are deleted in the same transaction that inserts a new one, so the
--    constraint needs no notion of "now".
-- 3. The no-double-booking rule covers the local calendar only. Appointments booked in Cal.com
--    are mirrored here as Cal.com answered them; Cal.com owns their availability, and a mirror
--    must never be refused because a stale local copy overlaps it.

ALTER TABLE companies ADD COLUMN slot_step_min   BIGINT NOT NULL DEFAULT 15 CHECK (slot_step_min BETWEEN 5 AND 240);
ALTER TABLE companies ADD COLUMN slot_buffer_min BIGINT NOT NULL DEFAULT 0 CHECK (slot_buffer_min BETWEEN 0 AND 240);
ALTER TABLE companies ADD COLUMN min_notice_min  BIGINT NOT NULL DEFAULT 60 CHECK (min_notice_min BETWEEN 0 AND 43200);

ALTER TABLE slot_holds
    ADD CONSTRAINT slot_holds_no_overlap
    EXCLUDE USING gist (staff_id WITH =, int8range(starts_at, ends_at) WITH &&)
    WHERE (staff_id IS NOT NULL);

ALTER TABLE appointments DROP CONSTRAINT appointments_no_overlap;
ALTER TABLE appointments
    ADD CONSTRAINT appointments_no_overlap
    EXCLUDE USING gist (staff_id WITH =, int8range(starts_at, ends_at) WITH &&)
    WHERE (status = 'booked' AND staff_id IS NOT NULL AND backend = 'local');

CREATE INDEX appointments_call ON appointments (company_id, call_id) WHERE call_id IS NOT NULL;
