//! Companies: create, configure, greetings, list and show.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{create_or_reuse, Created};
use crate::app::App;
use crate::domain::{self, Country, E164};
use crate::error::{Error, Result};
use crate::store::{Company, CompanyPatch, GreetingKind, NewCompany, SecretField};
use crate::templates::Industry;

/// Which calendar a company books in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Scheduling {
    Local,
    Calcom,
}

impl Scheduling {
    pub fn as_str(self) -> &'static str {
        match self {
            Scheduling::Local => "local",
            Scheduling::Calcom => "calcom",
        }
    }
}

/// Where callback requests are sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Channel {
    Email,
    Sms,
    Whatsapp,
    Portal,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "sms",
            Channel::Whatsapp => "whatsapp",
            Channel::Portal => "portal",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct NewCompanyRequest {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub country: Option<String>,
    pub timezone: Option<String>,
    /// A built-in preset's key or a preset file's path ([`Industry::load`]).
    pub industry: Option<String>,
    pub calcom_team_id: Option<i64>,
    pub calcom_api_key: Option<String>,
    pub retell_api_key: Option<String>,
    pub scheduling: Option<Scheduling>,
    pub if_not_exists: bool,
}

/// Settings for `company:config`; `None` leaves a value alone.
#[derive(Debug, Clone, Default)]
pub struct SettingsRequest {
    pub callback_channels: Option<Vec<Channel>>,
    pub callback_email: Option<String>,
    pub enable_smart_service: Option<bool>,
    pub service_confidence_threshold: Option<f64>,
    pub enable_staff_preferences: Option<bool>,
    pub staff_confidence_threshold: Option<f64>,
    pub cancellation_hours: Option<i64>,
    pub calcom_api_key: Option<String>,
    pub retell_api_key: Option<String>,
    pub calcom_webhook_secret: Option<String>,
    pub scheduling: Option<Scheduling>,
    pub slot_step_min: Option<i64>,
    pub slot_buffer_min: Option<i64>,
    pub min_notice_min: Option<i64>,
}

/// A company with its greetings and counts, for `company:show`.
#[derive(Debug, Serialize)]
pub struct CompanyDetails {
    #[serde(flatten)]
    pub company: Company,
    pub greetings: BTreeMap<String, String>,
    pub branch_count: usize,
    pub service_count: usize,
}

pub async fn create(app: &App, req: NewCompanyRequest) -> Result<Created<Company>> {
    let name = domain::require_name(&req.name, "--name")?;
    let name_key = domain::name_key(&name);
    let country: Country = req.country.as_deref().unwrap_or("DE").parse()?;
    let timezone = domain::parse_timezone(req.timezone.as_deref().unwrap_or("Europe/Berlin"))?;
    let industry = req.industry.as_deref().map(Industry::load).transpose()?;
    let settings = industry.as_ref().map(preset_settings).unwrap_or_default();
    let email = req.email.as_deref().map(domain::parse_email).transpose()?;
    let phone = E164::parse_opt(req.phone.as_deref(), country)?;
    let conflict = Error::conflict(format!("a company named '{name}' already exists"))
        .with_help("pass --if-not-exists to reuse it, or choose another --name");
    // Secrets are sealed only when inserting: reusing a company never needs the master key.
    let insert = async || {
        let company = NewCompany {
            name: name.clone(),
            name_key: name_key.clone(),
            email,
            phone,
            country: country.code(),
            timezone: timezone.name().to_string(),
            industry: industry.map(|i| i.key),
            scheduling: req.scheduling.unwrap_or(Scheduling::Local).as_str().to_string(),
            calcom_team_id: req.calcom_team_id,
            calcom_api_key: seal_opt(app, SecretField::CalcomApiKey, req.calcom_api_key.as_deref()).await?,
            retell_api_key: seal_opt(app, SecretField::RetellApiKey, req.retell_api_key.as_deref()).await?,
            settings,
        };
        app.store.insert_company(&company).await
    };
    create_or_reuse(req.if_not_exists, async || app.store.company_by_name(&name_key).await, insert, conflict).await
}

/// The settings a preset gives a new company.
pub(crate) fn preset_settings(i: &Industry) -> CompanyPatch {
    CompanyPatch {
        callback_channels: Some(i.callback_channels.join(",")),
        enable_smart_service: Some(i.enable_smart_service),
        service_confidence_threshold: Some(i.service_confidence_threshold),
        enable_staff_preferences: Some(i.enable_staff_preferences),
        staff_confidence_threshold: Some(i.staff_confidence_threshold),
        cancellation_hours: Some(i.cancellation_hours),
        ..CompanyPatch::default()
    }
}

async fn seal_opt(app: &App, field: SecretField, value: Option<&str>) -> Result<Option<crate::store::SealedSecret>> {
    match value.map(str::trim) {
        None => Ok(None),
        Some("") => Err(Error::invalid(format!("--{} must not be empty", field.name().replace('_', "-")))),
        Some(plain) => app.seal(field, plain).await.map(Some),
    }
}

/// Looks a company up by id, or fails with exit code 3.
pub async fn get(app: &App, id: i64) -> Result<Company> {
    app.store.company(id).await?.ok_or_else(|| missing(id))
}

/// The error for a company that does not exist.
pub fn missing(id: i64) -> Error {
    Error::not_found(format!("company {id} does not exist")).with_help("`askpro company:list` shows the companies")
}

pub async fn configure(app: &App, id: i64, req: SettingsRequest) -> Result<Company> {
    let company = get(app, id).await?;
    for (flag, value) in [
        ("--service-confidence-threshold", req.service_confidence_threshold),
        ("--staff-confidence-threshold", req.staff_confidence_threshold),
    ] {
        if let Some(v) = value {
            if !(0.0..=1.0).contains(&v) {
                return Err(Error::invalid(format!("{flag} must be between 0 and 1, not {v}")));
            }
        }
    }
    if let Some(h) = req.cancellation_hours {
        if h < 0 {
            return Err(Error::invalid(format!("--cancellation-hours must not be negative, not {h}")));
        }
    }
    for (flag, value, range) in [
        ("--slot-step", req.slot_step_min, 5..=240),
        ("--slot-buffer", req.slot_buffer_min, 0..=240),
        ("--min-notice", req.min_notice_min, 0..=43_200),
    ] {
        if let Some(v) = value.filter(|v| !range.contains(v)) {
            return Err(Error::invalid(format!(
                "{flag} must be between {} and {} minutes, not {v}",
                range.start(),
                range.end()
            )));
        }
    }
    let patch = CompanyPatch {
        callback_channels: req.callback_channels.map(|list| {
            let mut names: Vec<&str> = list.iter().map(|c| c.as_str()).collect();
            names.dedup();
            names.join(",")
        }),
        callback_email: req.callback_email.as_deref().map(domain::parse_email).transpose()?,
        enable_smart_service: req.enable_smart_service,
        service_confidence_threshold: req.service_confidence_threshold,
        enable_staff_preferences: req.enable_staff_preferences,
        staff_confidence_threshold: req.staff_confidence_threshold,
        cancellation_hours: req.cancellation_hours,
        calcom_api_key: seal_opt(app, SecretField::CalcomApiKey, req.calcom_api_key.as_deref()).await?,
        retell_api_key: seal_opt(app, SecretField::RetellApiKey, req.retell_api_key.as_deref()).await?,
        calcom_webhook_secret: seal_opt(app, SecretField::CalcomWebhookSecret, req.calcom_webhook_secret.as_deref())
            .await?,
        scheduling: req.scheduling.map(|s| s.as_str().to_string()),
        slot_step_min: req.slot_step_min,
        slot_buffer_min: req.slot_buffer_min,
        min_notice_min: req.min_notice_min,
    };
    if patch.is_empty() {
        return Ok(company);
    }
    app.store.update_company(id, &patch).await
}

/// The placeholders a greeting template may use.
pub const GREETING_PLACEHOLDERS: [&str; 4] = ["customer_name", "service", "company", "branch"];

/// Built-in greetings used until a company sets its own.
pub fn default_greeting(kind: GreetingKind) -> &'static str {
    match kind {
        GreetingKind::Default => "Guten Tag, hier ist {{company}}, {{branch}}. Wie kann ich Ihnen helfen?",
        GreetingKind::ReturningCustomer => "Hallo {{customer_name}}, schön, dass Sie wieder anrufen! Hier ist {{company}}. Wie kann ich helfen?",
        GreetingKind::PersonalizedWithService => {
            "Hallo {{customer_name}}, schön, von Ihnen zu hören! Möchten Sie wieder einen Termin für {{service}}?"
        }
        GreetingKind::AfterHours => {
            "Guten Tag, hier ist {{company}}. Wir haben gerade geschlossen, ich kann aber gern einen Termin für Sie eintragen."
        }
    }
}

/// Checks that every `{{…}}` in a template is a known placeholder and the braces are balanced.
/// The longest greeting template.
const MAX_GREETING: usize = 500;

pub fn validate_template(template: &str) -> Result<()> {
    if template.trim().is_empty() {
        return Err(Error::invalid("--template must not be empty"));
    }
    // A greeting is spoken at the start of every call: a few sentences, not a page.
    if template.chars().nth(MAX_GREETING).is_some() {
        return Err(Error::invalid(format!("--template is longer than {MAX_GREETING} characters"))
            .with_help("a greeting is spoken before the caller can say anything: keep it to a sentence or two"));
    }
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let end = after.find("}}").ok_or_else(|| Error::invalid("--template has '{{' without a closing '}}'"))?;
        let name = after[..end].trim();
        if !GREETING_PLACEHOLDERS.contains(&name) {
            return Err(Error::invalid(format!("--template uses the unknown placeholder '{{{{{name}}}}}'"))
                .with_help("use {{customer_name}}, {{service}}, {{company}} or {{branch}}"));
        }
        rest = &after[end + 2..];
    }
    Ok(())
}

pub async fn set_greeting(app: &App, company_id: i64, kind: GreetingKind, template: &str) -> Result<()> {
    get(app, company_id).await?;
    validate_template(template)?;
    app.store.set_greeting(company_id, kind, template.trim()).await
}

pub async fn show(app: &App, id: i64) -> Result<CompanyDetails> {
    let company = get(app, id).await?;
    let mut greetings: BTreeMap<String, String> =
        GreetingKind::ALL.iter().map(|k| (k.as_str().to_string(), default_greeting(*k).to_string())).collect();
    for g in app.store.greetings(id).await? {
        greetings.insert(g.kind, g.template);
    }
    let branch_count = app.store.branches(id).await?.len();
    let service_count = app.store.services(id, None).await?.len();
    Ok(CompanyDetails { company, greetings, branch_count, service_count })
}

pub async fn list(app: &App) -> Result<Vec<Company>> {
    app.store.companies().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_accept_only_known_placeholders() {
        assert!(validate_template("Hallo {{customer_name}}, hier ist {{ company }}").is_ok());
        let err = validate_template("Hallo {{kunde}}").unwrap_err();
        assert!(err.message().contains("kunde"));
        assert!(validate_template("Hallo {{company").is_err());
        assert!(validate_template("  ").is_err());
        for kind in GreetingKind::ALL {
            validate_template(default_greeting(kind)).unwrap();
        }
    }
}
