-- A branch's busy times change only when its appointments or holds do. These triggers count
-- those changes per branch, in the same transaction, whoever writes (any daemon, the CLI), so a
-- daemon can keep a branch's schedule in memory and know it is current by comparing one number
-- read with the branch.
ALTER TABLE branches ADD COLUMN schedule_version BIGINT NOT NULL DEFAULT 0;

CREATE FUNCTION bump_schedule_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        UPDATE branches SET schedule_version = schedule_version + 1 WHERE id = OLD.branch_id;
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.branch_id IS DISTINCT FROM OLD.branch_id) THEN
        UPDATE branches SET schedule_version = schedule_version + 1 WHERE id = NEW.branch_id;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER appointments_schedule AFTER INSERT OR UPDATE OR DELETE ON appointments
    FOR EACH ROW EXECUTE FUNCTION bump_schedule_version();
CREATE TRIGGER slot_holds_schedule AFTER INSERT OR UPDATE OR DELETE ON slot_holds
    FOR EACH ROW EXECUTE FUNCTION bump_schedule_version();
