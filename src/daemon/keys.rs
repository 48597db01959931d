//! The keys a request may be signed with. Retell: the platform key (`RETELL_API_KEY`), which
//! may act on every company, and companies' own keys, each limited to the companies that hold
//! it (an agency may run several companies from one Retell account). Cal.com:
//! each company's webhook secret, which identifies the company. Loaded at start and refreshed
//! in the background, so a key set with `company:config` takes effect without a restart.

use crate::app::App;
use crate::error::Result;
use crate::ops::events::Scope;
use crate::signatures::calcom::{self as cal_signature, CalSignatureError};
use crate::signatures::retell::{Signature, SignatureError};
use crate::store::SecretField;

#[derive(Default)]
pub struct Keys {
    keys: Vec<(String, Scope)>,
    /// Cal.com webhook secrets and their companies.
    calcom: Vec<(String, i64)>,
}

impl Keys {
    pub async fn load(app: &App) -> Result<Keys> {
        let platform = app.settings.retell_api_key.clone();
        let mut companies: Vec<(String, Vec<i64>)> = Vec::new();
        let mut calcom = Vec::new();
        for company in app.store.companies().await? {
            if company.retell_api_key.is_some() {
                match app.company_secret(company.id, SecretField::RetellApiKey).await? {
                    // The platform key acts on every company anyway.
                    Some(key) if platform.as_ref() == Some(&key) => {}
                    Some(key) => match companies.iter_mut().find(|(k, _)| *k == key) {
                        Some((_, ids)) => ids.push(company.id),
                        None => companies.push((key, vec![company.id])),
                    },
                    None => {}
                }
            }
            if company.calcom_webhook_secret.is_some() {
                if let Some(secret) = app.company_secret(company.id, SecretField::CalcomWebhookSecret).await? {
                    calcom.push((secret, company.id));
                }
            }
        }
        let keys = platform
            .map(|key| (key, Scope::Platform))
            .into_iter()
            .chain(companies.into_iter().map(|(key, ids)| (key, Scope::Companies(ids.into()))))
            .collect();
        Ok(Keys { keys, calcom })
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The scope of the key that signed `body` (every key appears once), after the header and
    /// its time window have been checked once.
    pub fn verify(&self, body: &[u8], header: Option<&str>, now_ms: i64) -> Result<Scope, SignatureError> {
        let signature = Signature::checked(header, now_ms)?;
        self.keys
            .iter()
            .find(|(key, _)| signature.matches(body, key))
            .map(|(_, scope)| scope.clone())
            .ok_or(SignatureError::Mismatch)
    }

    /// The company whose Cal.com webhook secret signed `body`.
    pub fn verify_calcom(&self, body: &[u8], header: Option<&str>) -> Result<i64, CalSignatureError> {
        let digest = cal_signature::parse(header)?;
        self.calcom
            .iter()
            .find(|(secret, _)| cal_signature::matches(body, secret, &digest))
            .map(|(_, company)| *company)
            .ok_or(CalSignatureError::Mismatch)
    }
}
