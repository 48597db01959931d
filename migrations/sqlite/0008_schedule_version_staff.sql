-- Who works at a branch, their hours and what they perform are part of its schedule too: a
-- daemon keeps the staff for a service with the busy times, under the same version (0007).
CREATE TRIGGER staff_schedule_insert AFTER INSERT ON staff BEGIN
    UPDATE branches SET schedule_version = schedule_version + 1 WHERE id = NEW.branch_id;
END;
CREATE TRIGGER staff_schedule_update AFTER UPDATE ON staff BEGIN
    UPDATE branches SET schedule_version = schedule_version + 1 WHERE id IN (OLD.branch_id, NEW.branch_id);
END;
CREATE TRIGGER staff_schedule_delete AFTER DELETE ON staff BEGIN
    UPDATE branches SET schedule_version = schedule_version + 1 WHERE id = OLD.branch_id;
END;

CREATE TRIGGER staff_services_schedule_insert AFTER INSERT ON staff_services BEGIN
    UPDATE branches SET schedule_version = schedule_version + 1
    WHERE id = (SELECT branch_id FROM staff WHERE id = NEW.staff_id);
END;
CREATE TRIGGER staff_services_schedule_delete AFTER DELETE ON staff_services BEGIN
    UPDATE branches SET schedule_version = schedule_version + 1
    WHERE id = (SELECT branch_id FROM staff WHERE id = OLD.staff_id);
END;
