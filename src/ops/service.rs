//! Services and their synonyms (single additions; bulk import is in `synonyms.rs`).

use serde::Serialize;

use super::{branch, company, create_or_reuse, Created};
use crate::app::catalogs::catalog_and_services;
use crate::app::App;
use crate::domain::{self, Cents};
use crate::error::{Error, Result};
use crate::nlu::services::{self, MAX_PHRASE_CHARS, MAX_PHRASE_WORDS, MAX_WORD_CHARS};
use crate::nlu::{Catalog, ServiceMatch};
use crate::store::{NewService, NewSynonym, Service, Synonym};

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

/// A company's active services and synonyms, prepared for matching.
pub async fn catalog(app: &App, company_id: i64) -> Result<Catalog> {
    Ok(catalog_and_services(app, company_id).await?.0)
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
