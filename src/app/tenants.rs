//! Calls' tenants, briefly remembered: every request of a call names its agent and number, and
//! looking them up each time would cost a query per request.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::App;
use crate::error::Result;
use crate::meter::{CacheSnapshot, HitCounter};
use crate::store::Tenant;

/// How long a call's tenant is remembered: an agent or number moved to another branch is seen
/// by a running daemon within this time; a newly registered one at once (misses are not kept).
pub const TENANT_TTL: Duration = Duration::from_secs(10);
const TENANT_CACHE_SIZE: usize = 10_000;

/// A call's `(agent_id, to_number)`.
type CallKey = (Option<String>, Option<String>);

/// Tenants found by `(agent_id, to_number)`, each for [`TENANT_TTL`].
#[derive(Default)]
pub struct TenantCache(Mutex<HashMap<CallKey, (Tenant, Instant)>>, HitCounter);

impl TenantCache {
    pub(crate) async fn find(
        &self,
        app: &App,
        agent_id: Option<&str>,
        to_number: Option<&str>,
    ) -> Result<Option<Tenant>> {
        let key = (agent_id.map(str::to_string), to_number.map(str::to_string));
        if let Some((tenant, at)) = self.0.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
            if at.elapsed() < TENANT_TTL {
                self.1.hit();
                return Ok(Some(*tenant));
            }
        }
        self.1.miss();
        let found = app.store.tenant_for_call(agent_id, to_number).await?;
        if let Some(tenant) = found {
            let mut cache = self.0.lock().unwrap_or_else(|e| e.into_inner());
            if cache.len() >= TENANT_CACHE_SIZE {
                cache.retain(|_, (_, at)| at.elapsed() < TENANT_TTL);
            }
            if cache.len() < TENANT_CACHE_SIZE {
                cache.insert(key, (tenant, Instant::now()));
            }
        }
        Ok(found)
    }

    /// Its hits, misses (a look-up in the store) and size.
    pub fn snapshot(&self) -> CacheSnapshot {
        self.1.snapshot("tenants", self.0.lock().unwrap_or_else(|e| e.into_inner()).len())
    }
}
