-- Counts changes to a company's services and synonyms (askpro bumps it in the transaction that
-- writes them), so a daemon can keep the company's service matcher and know it is current by
-- comparing one number read with the company.
ALTER TABLE companies ADD COLUMN catalog_version INTEGER NOT NULL DEFAULT 0;
