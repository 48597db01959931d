//! Services and their synonyms (single additions; bulk import is in `synonyms.rs`).

use std::sync::Arc;

use serde::Serialize;

use super::kept::Kept;
use super::{branch, company, create_or_reuse, App, Created};
use crate::domain::{self, Cents};
use crate::error::{Error, Result};
use crate::nlu::services::{self, MAX_PHRASE_CHARS, MAX_PHRASE_WORDS, MAX_WORD_CHARS};
use crate::nlu::{Catalog, ServiceMatch};
use crate::store::{Company, NewService, NewSynonym, Service, Synonym};

#[derive(Debug, Clone, Default)]
pub struct NewServiceRequest {
    pub company_id: i64,
    pub branch_id: Option<i64>,
    pub name: String,
    pub duration_min: u32,
    pub price: Option<Cents>,
    pub calcom_event_type_id: Option<i64>,
    pub if_not_exists: bool,
}

pub async fn create(app: &App, req: NewServiceRequest) -> Result<Created<Service>> {
    let company = company::get(app, req.company_id).await?;
    if let Some(branch_id) = req.branch_id {
        branch::get_in_company(app, company.id, branch_id).await?;
    }
    let name = domain::require_name(&req.name, "--name")?;
    let name_key = domain::name_key(&name);
    if req.duration_min == 0 || req.duration_min > 24 * 60 {
        return Err(Error::invalid(format!("--duration must be between 1 and 1440 minutes, not {}", req.duration_min)));
    }
    let service = NewService {
        branch_id: req.branch_id,
        name: name.clone(),
        name_key: name_key.clone(),
        duration_min: i64::from(req.duration_min),
        price_cents: req.price.map(|c| c.0),
        calcom_event_type_id: req.calcom_event_type_id,
    };
    let conflict = Error::conflict(format!("company {} already has a service named '{name}'", company.id))
        .with_help("pass --if-not-exists to reuse it, or choose another --name");
    create_or_reuse(
        req.if_not_exists,
        async || app.store.service_by_name(company.id, &name_key).await,
        async || app.store.insert_service(company.id, &service).await,
        conflict,
    )
    .await
}

/// Looks a service up by id, or fails with exit code 3.
pub async fn get(app: &App, id: i64) -> Result<Service> {
    app.store.service(id).await?.ok_or_else(|| {
        Error::not_found(format!("service {id} does not exist"))
            .with_help("`askpro service:list --company-id N` shows a company's services")
    })
}

pub async fn list(app: &App, company_id: i64, branch_id: Option<i64>) -> Result<Vec<Service>> {
    company::get(app, company_id).await?;
    if let Some(branch_id) = branch_id {
        branch::get_in_company(app, company_id, branch_id).await?;
    }
    app.store.services(company_id, branch_id).await
}

#[derive(Debug, Serialize)]
pub struct SynonymAdded {
    pub service_id: i64,
    pub synonym: String,
    pub added: bool,
}

pub async fn add_synonym(app: &App, service_id: i64, synonym: &str) -> Result<SynonymAdded> {
    let service = get(app, service_id).await?;
    let synonym = domain::require_name(synonym, "--synonym")?;
    let row = NewSynonym { service_id, synonym_key: domain::name_key(&synonym), synonym: synonym.clone() };
    let added = app.store.insert_synonyms(service.company_id, &[row], &|_| {}).await? == 1;
    Ok(SynonymAdded { service_id, synonym, added })
}

/// The company's best service for a spoken phrase, or `None` below its confidence threshold.
/// A phrase past the caps on what is matched is refused: nobody says a service that long, and
/// "no match" would read as a missing synonym.
pub async fn match_phrase(app: &App, company_id: i64, phrase: &str) -> Result<Option<ServiceMatch>> {
    if !services::within_caps(phrase) {
        return Err(Error::invalid(format!(
            "the phrase is too long to be a spoken service name: at most {MAX_PHRASE_CHARS} characters, \
             {MAX_PHRASE_WORDS} words and {MAX_WORD_CHARS} letters a word"
        )));
    }
    let company = company::get(app, company_id).await?;
    let catalog = catalog(app, company_id).await?;
    Ok(catalog.matches(phrase, company.service_confidence_threshold))
}

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

/// A company's active services and synonyms, prepared for matching.
pub async fn catalog(app: &App, company_id: i64) -> Result<Catalog> {
    Ok(catalog_and_services(app, company_id).await?.0)
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

/// [`catalog_and_services`] for `company`, kept between calls when the app keeps catalogs.
pub async fn kept_catalog(app: &App, company: &Company) -> Result<Arc<CatalogAndServices>> {
    match &app.catalogs {
        Some(kept) => {
            kept.0.get(company.id, company.catalog_version, async || catalog_and_services(app, company.id).await).await
        }
        None => Ok(Arc::new(catalog_and_services(app, company.id).await?)),
    }
}

#[derive(Debug, Serialize)]
pub struct ServiceSynonyms {
    pub service_id: i64,
    pub service: String,
    pub synonyms: Vec<Synonym>,
}

pub async fn synonyms(app: &App, service_id: i64) -> Result<ServiceSynonyms> {
    let service = get(app, service_id).await?;
    let synonyms = app.store.synonyms(service.company_id, service.id).await?;
    Ok(ServiceSynonyms { service_id, service: service.name, synonyms })
}
