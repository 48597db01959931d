-- Everything keyed by a Retell call id is keyed within its company. Mirrors
-- migrations/sqlite/0011_company_scoped_calls.sql.
--
-- 1. A delivery is a duplicate of an earlier one of the same company only: another company's
--    event for the same call id is its own (webhook_events: UNIQUE (company_id, dedupe_key)).
-- 2. A call record belongs to one company; another company's events for the same call id make
--    their own record (calls: UNIQUE (company_id, retell_call_id)).
-- 3. A function call is claimed before it runs (`response` NULL until it answers, the claim held
--    until `claimed_until`), and answered once per (company, call, name, arguments); `attempts`
--    counts the runs, so a run that takes over an abandoned claim knows it resumes one.

ALTER TABLE webhook_events DROP CONSTRAINT webhook_events_dedupe_key_key;
ALTER TABLE webhook_events ADD CONSTRAINT webhook_events_company_dedupe_key UNIQUE (company_id, dedupe_key);

ALTER TABLE calls DROP CONSTRAINT calls_retell_call_id_key;
ALTER TABLE calls ADD CONSTRAINT calls_company_call UNIQUE (company_id, retell_call_id);

ALTER TABLE function_calls DROP CONSTRAINT function_calls_call_id_name_args_hash_key;
ALTER TABLE function_calls ADD CONSTRAINT function_calls_company_key UNIQUE (company_id, call_id, name, args_hash);
ALTER TABLE function_calls ALTER COLUMN response DROP NOT NULL;
ALTER TABLE function_calls ADD COLUMN claimed_until BIGINT;
ALTER TABLE function_calls ADD COLUMN attempts INTEGER NOT NULL DEFAULT 1;
