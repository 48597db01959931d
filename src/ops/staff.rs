//! Staff: create, map to services, list.

use serde::Serialize;

use super::{branch, company, create_or_reuse, Created};
use crate::app::App;
use crate::domain::{self, Country, E164};
use crate::error::{Error, Result};
use crate::store::{NewStaff, Staff, StaffKey};

#[derive(Debug, Clone, Default)]
pub struct NewStaffRequest {
    pub branch_id: i64,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub calcom_user_id: Option<i64>,
    /// Their own hours (JSON or `@file`), within the branch's; default: the branch's hours.
    pub working_hours: Option<String>,
    pub if_not_exists: bool,
}

pub async fn create(app: &App, req: NewStaffRequest) -> Result<Created<Staff>> {
    let branch = branch::get(app, req.branch_id).await?;
    let company = company::get(app, branch.company_id).await?;
    let name = domain::require_name(&req.name, "--name")?;
    let email = req.email.as_deref().map(domain::parse_email).transpose()?;
    let key = match &email {
        Some(e) => StaffKey::Email(e.to_lowercase()),
        None => StaffKey::Name(domain::name_key(&name)),
    };
    let country: Country = company.country.parse()?;
    let staff = NewStaff {
        branch_id: branch.id,
        name: name.clone(),
        email,
        phone: E164::parse_opt(req.phone.as_deref(), country)?,
        calcom_user_id: req.calcom_user_id,
        working_hours: req
            .working_hours
            .as_deref()
            .map(|arg| Ok::<_, Error>(domain::BusinessHours::from_arg(arg)?.to_json().to_string()))
            .transpose()?,
        key: key.clone(),
    };
    let conflict = Error::conflict(format!("branch {} already has this staff member ('{name}')", branch.id))
        .with_help("pass --if-not-exists to reuse them, or use another --email");
    create_or_reuse(
        req.if_not_exists,
        async || app.store.staff_by_key(company.id, branch.id, &key).await,
        async || app.store.insert_staff(company.id, &staff).await,
        conflict,
    )
    .await
}

/// Which services to map: all of them, or these names.
#[derive(Debug, Clone)]
pub enum ServiceSelection {
    All,
    Names(Vec<String>),
}

impl ServiceSelection {
    /// Parses `all` or a comma-separated list of names.
    pub fn parse(arg: &str) -> Result<ServiceSelection> {
        if arg.trim().eq_ignore_ascii_case("all") {
            return Ok(ServiceSelection::All);
        }
        let names: Vec<String> = arg.split(',').map(|n| n.trim().to_string()).filter(|n| !n.is_empty()).collect();
        if names.is_empty() {
            return Err(Error::invalid("--services needs 'all' or a list such as \"Herrenhaarschnitt,Bart trimmen\""));
        }
        Ok(ServiceSelection::Names(names))
    }
}

#[derive(Debug, Serialize)]
pub struct Assignment {
    pub staff_id: i64,
    pub services: Vec<String>,
    pub newly_assigned: u64,
}

/// Maps a staff member to services of their company; an unknown name aborts with nothing written.
pub async fn assign_services(app: &App, staff_id: i64, selection: ServiceSelection) -> Result<Assignment> {
    let staff = get(app, staff_id).await?;
    let available = app.store.services(staff.company_id, Some(staff.branch_id)).await?;
    let chosen: Vec<_> = match selection {
        ServiceSelection::All => available.iter().collect(),
        ServiceSelection::Names(names) => names
            .iter()
            .map(|name| {
                let key = domain::name_key(name);
                available.iter().find(|s| domain::name_key(&s.name) == key).ok_or_else(|| {
                    Error::not_found(format!(
                        "company {} has no service '{name}' for branch {}",
                        staff.company_id, staff.branch_id
                    ))
                    .with_help(format!("`askpro service:list --company-id {}` shows the names", staff.company_id))
                })
            })
            .collect::<Result<_>>()?,
    };
    let ids: Vec<i64> = chosen.iter().map(|s| s.id).collect();
    let newly_assigned = app.store.assign_services(staff.company_id, staff.id, &ids).await?;
    Ok(Assignment { staff_id, services: chosen.iter().map(|s| s.name.clone()).collect(), newly_assigned })
}

pub async fn get(app: &App, id: i64) -> Result<Staff> {
    app.store.staff_member(id).await?.ok_or_else(|| {
        Error::not_found(format!("staff member {id} does not exist"))
            .with_help("`askpro staff:list --branch-id N` shows a branch's staff")
    })
}

#[derive(Debug, Serialize)]
pub struct StaffWithServices {
    #[serde(flatten)]
    pub staff: Staff,
    pub services: Vec<String>,
}

pub async fn list(app: &App, branch_id: i64) -> Result<Vec<StaffWithServices>> {
    let branch = branch::get(app, branch_id).await?;
    let staff = app.store.staff(branch.company_id, branch.id).await?;
    let mapping = app.store.staff_service_names(branch.company_id, branch.id).await?;
    Ok(staff
        .into_iter()
        .map(|s| {
            let services = mapping.iter().filter(|(id, _)| *id == s.id).map(|(_, n)| n.clone()).collect();
            StaffWithServices { staff: s, services }
        })
        .collect())
}
