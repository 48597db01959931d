-- Counts changes to a company's services and synonyms (askpro bumps it in the transaction that
-- writes them), so a daemon can keep the company's service matcher and know it is current by
-- comparing one number read with the company.
ALTER TABLE companies ADD COLUMN catalog_version BIGINT NOT NULL DEFAULT 0;

-- The schedule-version triggers of 0007 and 0008 are dropped on PostgreSQL. Bumping the branch
-- row from every hold and booking serialised a branch's bookings across daemons. Worse, it could
-- deadlock two racing calls: one holding the branch row while waiting on the other's
-- overlapping hold. PostgreSQL daemons read busy times per call; the column stays, unused.
DROP TRIGGER appointments_schedule ON appointments;
DROP TRIGGER slot_holds_schedule ON slot_holds;
DROP TRIGGER staff_schedule ON staff;
DROP TRIGGER staff_services_schedule ON staff_services;
DROP FUNCTION bump_schedule_version_of_staff();
DROP FUNCTION bump_schedule_version();
