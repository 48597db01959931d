-- A branch's busy times change only when its appointments or holds do. These triggers count
-- those changes per branch, in the same transaction, whoever writes (daemon, CLI, another
-- process), so a daemon can keep a branch's schedule in memory and know it is current by
-- comparing one number read with the branch.
ALTER TABLE branches ADD COLUMN schedule_version INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER appointments_schedule_insert AFTER INSERT ON appointments BEGIN
    UPDATE branches SET schedule_version = schedule_version + 1 WHERE id = NEW.branch_id;
END;
CREATE TRIGGER appointments_schedule_update AFTER UPDATE ON appointments BEGIN
    UPDATE branches SET schedule_version = schedule_version + 1 WHERE id IN (OLD.branch_id, NEW.branch_id);
END;
CREATE TRIGGER appointments_schedule_delete AFTER DELETE ON appointments BEGIN
    UPDATE branches SET schedule_version = schedule_version + 1 WHERE id = OLD.branch_id;
END;

CREATE TRIGGER slot_holds_schedule_insert AFTER INSERT ON slot_holds BEGIN
    UPDATE branches SET schedule_version = schedule_version + 1 WHERE id = NEW.branch_id;
END;
CREATE TRIGGER slot_holds_schedule_update AFTER UPDATE ON slot_holds BEGIN
    UPDATE branches SET schedule_version = schedule_version + 1 WHERE id IN (OLD.branch_id, NEW.branch_id);
END;
CREATE TRIGGER slot_holds_schedule_delete AFTER DELETE ON slot_holds BEGIN
    UPDATE branches SET schedule_version = schedule_version + 1 WHERE id = OLD.branch_id;
END;
