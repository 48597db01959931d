//! The HMAC signature schemes of the services that call askpro: Retell's `X-Retell-Signature`
//! and Cal.com's `X-Cal-Signature-256`. Checked by the daemon, made by `retell:trigger`.

pub mod calcom;
pub mod retell;
