-- A hold remembers whom it is for, so that confirming it later in the call (confirm_booking,
-- which takes no arguments) books it for the same customer.
ALTER TABLE slot_holds ADD COLUMN customer_id INTEGER REFERENCES customers (id) ON DELETE CASCADE;
