//! Branches: create, notification targets, list.

use super::{company, create_or_reuse, Created};
use crate::app::App;
use crate::domain::{self, BusinessHours, Country, E164};
use crate::error::{Error, ErrorKind, Result};
use crate::store::{Branch, NewBranch, NotificationTargets};
use crate::templates::Industry;

#[derive(Debug, Clone, Default)]
pub struct NewBranchRequest {
    pub company_id: i64,
    pub name: String,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub timezone: Option<String>,
    /// Inline JSON or `@file.json`.
    pub business_hours: Option<String>,
    pub if_not_exists: bool,
}

pub async fn create(app: &App, req: NewBranchRequest) -> Result<Created<Branch>> {
    let company = company::get(app, req.company_id).await?;
    let name = domain::require_name(&req.name, "--name")?;
    let name_key = domain::name_key(&name);
    let country: Country = company.country.parse()?;
    let timezone = domain::parse_timezone(req.timezone.as_deref().unwrap_or(&company.timezone))?;
    let hours = match &req.business_hours {
        Some(arg) => BusinessHours::from_arg(arg)?,
        // A company made from a preset file keeps only its key: a key that is not built in
        // gets the default week.
        None => match company.industry.as_deref().map(Industry::get) {
            Some(Ok(industry)) => industry.hours()?,
            _ => BusinessHours::default_week(),
        },
    };
    let branch = NewBranch {
        name: name.clone(),
        name_key: name_key.clone(),
        address: req.address.map(|a| a.trim().to_string()).filter(|a| !a.is_empty()),
        phone: E164::parse_opt(req.phone.as_deref(), country)?,
        email: req.email.as_deref().map(domain::parse_email).transpose()?,
        timezone: timezone.name().to_string(),
        business_hours: hours.to_json().to_string(),
    };
    let conflict = Error::conflict(format!("company {} already has a branch named '{name}'", company.id))
        .with_help("pass --if-not-exists to reuse it, or choose another --name");
    let insert = async || {
        if let Some(phone) = &branch.phone {
            ensure_phone_free(app, phone.as_str(), None).await?;
        }
        match app.store.insert_branch(company.id, &branch).await {
            // Another process gave the phone to a branch since the check: name it.
            Err(e) if e.kind() == ErrorKind::Conflict => match &branch.phone {
                Some(phone) => ensure_phone_free(app, phone.as_str(), None).await.and(Err(e)),
                None => Err(e),
            },
            other => other,
        }
    };
    create_or_reuse(req.if_not_exists, async || app.store.branch_by_name(company.id, &name_key).await, insert, conflict)
        .await
}

/// Refuses `number` when it already reaches another branch, in any company: calls to a number
/// go to one branch, so a second one would silently take it from the first. `target` is the
/// branch it is meant for when it is being assigned to that branch's agent: the branch may keep
/// its own number, and a number registered for another of the company's agents moves to it.
pub(crate) async fn ensure_phone_free(app: &App, number: &str, target: Option<&Branch>) -> Result<()> {
    for holder in app.store.phone_holders(number).await? {
        let movable = target
            .is_some_and(|t| holder.branch_id == t.id || (holder.registered && holder.company_id == t.company_id));
        if movable {
            continue;
        }
        let (branch, company) = (
            format!("branch {} '{}'", holder.branch_id, holder.branch_name),
            format!("company {} '{}'", holder.company_id, holder.company_name),
        );
        let message = match holder.registered {
            true => format!("{number} is already answered by the agent of {branch} of {company}"),
            false => format!("{number} is already the phone of {branch} of {company}"),
        };
        return Err(Error::conflict(message)
            .with_help("a number reaches one branch only: give this one another number, or leave the phone out"));
    }
    Ok(())
}

/// Looks a branch up by id, or fails with exit code 3.
pub async fn get(app: &App, id: i64) -> Result<Branch> {
    app.store.branch(id).await?.ok_or_else(|| {
        Error::not_found(format!("branch {id} does not exist"))
            .with_help("`askpro branch:list --company-id N` shows a company's branches")
    })
}

/// A branch that must belong to `company_id`; a foreign branch is reported as not found.
pub async fn get_in_company(app: &App, company_id: i64, id: i64) -> Result<Branch> {
    in_company(app.store.branch(id).await?, company_id, id)
}

/// Branch `id` as read (`found`) if it is one of the company's, else not found.
pub fn in_company(found: Option<Branch>, company_id: i64, id: i64) -> Result<Branch> {
    found.filter(|b| b.company_id == company_id).ok_or_else(|| {
        Error::not_found(format!("company {company_id} has no branch {id}"))
            .with_help(format!("`askpro branch:list --company-id {company_id}` shows its branches"))
    })
}

#[derive(Debug, Clone, Default)]
pub struct NotificationsRequest {
    pub email: Option<String>,
    pub sms_phone: Option<String>,
    pub whatsapp: Option<String>,
}

pub async fn set_notifications(app: &App, branch_id: i64, req: NotificationsRequest) -> Result<Branch> {
    let branch = get(app, branch_id).await?;
    let company = company::get(app, branch.company_id).await?;
    let country: Country = company.country.parse()?;
    let targets = NotificationTargets {
        email: req.email.as_deref().map(domain::parse_email).transpose()?,
        sms_phone: E164::parse_opt(req.sms_phone.as_deref(), country)?,
        whatsapp: E164::parse_opt(req.whatsapp.as_deref(), country)?,
    };
    app.store.update_branch_notifications(branch.company_id, branch.id, &targets).await
}

pub async fn list(app: &App, company_id: i64) -> Result<Vec<Branch>> {
    company::get(app, company_id).await?;
    app.store.branches(company_id).await
}
