-- The secret Cal.com signs a company's booking webhooks with (X-Cal-Signature-256), sealed
-- like the API keys, with a masked hint for output.
ALTER TABLE companies ADD COLUMN calcom_webhook_secret_enc TEXT;
ALTER TABLE companies ADD COLUMN calcom_webhook_secret_hint TEXT;
