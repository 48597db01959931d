//! The Retell keys a request may be signed with: the platform key (`RETELL_API_KEY`), which
//! may act on every company, and companies' own keys, each limited to its company. Loaded at
//! start and refreshed in the background, so a key set with `company:config` takes effect
//! without a restart.

use super::signature::{Signature, SignatureError};
use crate::error::Result;
use crate::ops::events::Scope;
use crate::ops::App;
use crate::store::SecretField;

#[derive(Default)]
pub struct RetellKeys {
    keys: Vec<(String, Scope)>,
}

impl RetellKeys {
    pub async fn load(app: &App) -> Result<RetellKeys> {
        let mut keys = Vec::new();
        if let Some(platform) = app.settings.retell_api_key.clone() {
            keys.push((platform, Scope::Platform));
        }
        for company in app.store.companies().await? {
            if company.retell_api_key.is_some() {
                if let Some(key) = app.company_secret(company.id, SecretField::RetellApiKey).await? {
                    keys.push((key, Scope::Company(company.id)));
                }
            }
        }
        Ok(RetellKeys { keys })
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The scope of the first key that signed `body`, after the header and its time window
    /// have been checked once.
    pub fn verify(&self, body: &[u8], header: Option<&str>, now_ms: i64) -> Result<Scope, SignatureError> {
        let signature = Signature::checked(header, now_ms)?;
        self.keys
            .iter()
            .find(|(key, _)| signature.matches(body, key))
            .map(|(_, scope)| *scope)
            .ok_or(SignatureError::Mismatch)
    }
}
