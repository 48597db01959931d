-- Who works at a branch, their hours and what they perform are part of its schedule too: a
-- daemon keeps the staff for a service with the busy times, under the same version (0007).
CREATE TRIGGER staff_schedule AFTER INSERT OR UPDATE OR DELETE ON staff
    FOR EACH ROW EXECUTE FUNCTION bump_schedule_version();

CREATE FUNCTION bump_schedule_version_of_staff() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE branches SET schedule_version = schedule_version + 1
    WHERE id = (SELECT branch_id FROM staff WHERE id = CASE WHEN TG_OP = 'DELETE' THEN OLD.staff_id ELSE NEW.staff_id END);
    RETURN NULL;
END
$$;

CREATE TRIGGER staff_services_schedule AFTER INSERT OR UPDATE OR DELETE ON staff_services
    FOR EACH ROW EXECUTE FUNCTION bump_schedule_version_of_staff();
