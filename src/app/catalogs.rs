//! Service matchers kept by a long-running process, one per company, and matching in them
//! off the I/O threads.

use std::sync::Arc;

use super::App;
use crate::error::{Error, Result};
use crate::kept::Kept;
use crate::nlu::{Catalog, ServiceMatch};
use crate::store::{Company, Service};

/// [`Catalog::matches`] in a kept catalog, off the I/O threads: a phrase the catalog remembers
/// is a look-up, any other is ranked against every name and synonym (most of a millisecond
/// for a company with thousands) on the blocking pool, so that the daemon's I/O threads stay
/// free and the function's deadline can still answer.
pub async fn match_kept(kept: &Arc<CatalogAndServices>, phrase: &str, threshold: f64) -> Result<Option<ServiceMatch>> {
    if kept.0.remembers(phrase) {
        return Ok(kept.0.matches(phrase, threshold));
    }
    let (kept, phrase) = (Arc::clone(kept), phrase.to_string());
    tokio::task::spawn_blocking(move || kept.0.matches(&phrase, threshold))
        .await
        .map_err(|e| Error::internal(format!("service matching stopped: {e}")))
}

/// The matcher and the services it matches (all of the company's, active or not).
pub async fn catalog_and_services(app: &App, company_id: i64) -> Result<(Catalog, Vec<Service>)> {
    let (services, synonyms) =
        tokio::try_join!(app.store.services(company_id, None), app.store.company_synonyms(company_id))?;
    let active: Vec<(i64, String)> = services.iter().filter(|s| s.active).map(|s| (s.id, s.name.clone())).collect();
    // Preparing thousands of synonyms takes tens of milliseconds: not on an I/O thread.
    let catalog = tokio::task::spawn_blocking(move || Catalog::new(&active, &synonyms))
        .await
        .map_err(|e| Error::internal(format!("preparing the service catalog stopped: {e}")))?;
    Ok((catalog, services))
}

/// A company's matcher and services, as [`catalog_and_services`] builds them.
pub type CatalogAndServices = (Catalog, Vec<Service>);

/// Service matchers kept by the daemon, one per company, each as of the company's
/// `catalog_version`. Building a matcher reads every synonym (a company with 2,000 takes
/// 13–22 ms), and askpro bumps the version in every transaction that writes services or
/// synonyms, so a kept matcher is used while the company row read for the call carries its
/// version.
pub struct Catalogs(Kept<i64, CatalogAndServices>);

impl Default for Catalogs {
    fn default() -> Catalogs {
        Catalogs(Kept::new(256))
    }
}

impl Catalogs {
    /// Its hits, misses (a matcher built) and size.
    pub fn snapshot(&self) -> crate::meter::CacheSnapshot {
        self.0.snapshot("service catalogs")
    }
}

/// [`catalog_and_services`] for `company`, kept between calls when the app keeps catalogs.
pub async fn kept_catalog(app: &App, company: &Company) -> Result<Arc<CatalogAndServices>> {
    match &app.catalogs {
        Some(kept) => {
            kept.0.get(company.id, company.catalog_version, async || catalog_and_services(app, company.id).await).await
        }
        None => Ok(Arc::new(catalog_and_services(app, company.id).await?)),
    }
}
