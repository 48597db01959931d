//! `calcom:*` use cases: check the key, import a team's event types as services (hosts become
//! the staff–service mapping) and its members as staff, and report drift between the two.
//!
//! Imports compute a plan first and then apply it, so `--dry-run` shows exactly what a real
//! run would write. Services linked to an event type follow Cal.com; a local service that only
//! shares an event type's name is left alone unless `--force` links it.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use super::{branch, company, Progress};
use crate::app::App;
use crate::clients::calcom::{EventType, Me, Membership, Team};
use crate::domain;
use crate::error::{Error, Result};
use crate::store::{Company, NewService, NewStaff, Service, Staff, StaffKey};

#[derive(Debug, Serialize)]
pub struct Connection {
    pub user: Me,
    pub team: Team,
}

/// `calcom:test-connection`: who the key belongs to, and that it reaches the team.
pub async fn test_connection(app: &App, company_id: i64) -> Result<Connection> {
    let company = company::get(app, company_id).await?;
    let client = app.calcom_client(&company).await?;
    let team_id = app.calcom_team(&company)?;
    let user = client.me().await?;
    let team = client.team(team_id).await?;
    Ok(Connection { user, team })
}

/// What an import did (or, with `--dry-run`, would do).
#[derive(Debug, Default, Serialize)]
pub struct ImportSummary {
    pub dry_run: bool,
    pub fetched: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub skipped: Vec<Skipped>,
    /// New staff–service pairs from the event types' hosts.
    pub mapped: u64,
}

#[derive(Debug, Serialize)]
pub struct Skipped {
    pub name: String,
    pub reason: String,
}

impl ImportSummary {
    pub fn line(&self, what: &str) -> String {
        let verb = if self.dry_run { "would be " } else { "" };
        let mut line = format!(
            "{} {what} from Cal.com: {} {verb}created, {} {verb}updated, {} unchanged",
            self.fetched, self.created, self.updated, self.unchanged
        );
        if !self.skipped.is_empty() {
            line.push_str(&format!(", {} skipped", self.skipped.len()));
        }
        if self.mapped > 0 {
            line.push_str(&format!("; {} staff–service pairs {verb}added", self.mapped));
        }
        line
    }
}

pub struct ImportServices {
    pub company_id: i64,
    pub branch_id: Option<i64>,
    pub force: bool,
    pub dry_run: bool,
}

enum Step {
    Create(NewService),
    Update(i64, NewService),
}

/// `calcom:import-services`.
pub async fn import_services(app: &App, req: ImportServices, progress: &dyn Progress) -> Result<ImportSummary> {
    let company = company::get(app, req.company_id).await?;
    if let Some(b) = req.branch_id {
        branch::get_in_company(app, company.id, b).await?;
    }
    let (event_types, _) = fetch(app, &company, progress, true).await?;
    let existing = app.store.services(company.id, req.branch_id).await?;
    let by_event: HashMap<i64, &Service> =
        existing.iter().filter_map(|s| s.calcom_event_type_id.map(|e| (e, s))).collect();
    let by_name: HashMap<String, &Service> = existing.iter().map(|s| (domain::name_key(&s.name), s)).collect();

    let mut summary = ImportSummary { dry_run: req.dry_run, fetched: event_types.len(), ..Default::default() };
    let mut steps = Vec::new();
    for et in &event_types {
        let wanted = NewService {
            branch_id: req.branch_id,
            name: et.title.trim().to_string(),
            name_key: domain::name_key(&et.title),
            duration_min: et.length_in_minutes,
            price_cents: et.price.filter(|p| *p > 0),
            calcom_event_type_id: Some(et.id),
        };
        if et.hidden {
            summary.skipped.push(Skipped { name: wanted.name, reason: "hidden in Cal.com".into() });
            continue;
        }
        if wanted.name_key.is_empty() || wanted.duration_min <= 0 {
            summary
                .skipped
                .push(Skipped { name: wanted.name, reason: format!("event type {} has no title or length", et.id) });
            continue;
        }
        let same_name = by_name.get(&wanted.name_key).copied();
        match (by_event.get(&et.id).copied(), same_name) {
            (Some(linked), _) if differs(linked, &wanted) => steps.push(Step::Update(linked.id, wanted)),
            (Some(_), _) => summary.unchanged += 1,
            (None, Some(local)) if req.force => steps.push(Step::Update(local.id, wanted)),
            (None, Some(local)) => summary.skipped.push(Skipped {
                name: wanted.name,
                reason: match local.calcom_event_type_id {
                    Some(other) => {
                        format!("the name belongs to a service linked to event type {other}; --force relinks it")
                    }
                    None => format!("service {} has this name; --force links it to event type {}", local.id, et.id),
                },
            }),
            (None, None) => steps.push(Step::Create(wanted)),
        }
    }
    summary.created = steps.iter().filter(|s| matches!(s, Step::Create(_))).count();
    summary.updated = steps.len() - summary.created;
    if req.dry_run {
        return Ok(summary);
    }

    progress.start(steps.len() as u64, "importing services");
    let mut service_of_event: HashMap<i64, i64> = by_event.iter().map(|(e, s)| (*e, s.id)).collect();
    for step in steps {
        let service = match step {
            Step::Create(s) => app.store.insert_service(company.id, &s).await?,
            Step::Update(id, s) => app.store.update_service(company.id, id, &s).await?,
        };
        if let Some(e) = service.calcom_event_type_id {
            service_of_event.insert(e, service.id);
        }
        progress.advance(1);
    }
    progress.finish();
    summary.mapped = map_hosts(app, &company, req.branch_id, &event_types, &service_of_event).await?;
    Ok(summary)
}

fn differs(s: &Service, wanted: &NewService) -> bool {
    s.name != wanted.name || s.duration_min != wanted.duration_min || s.price_cents != wanted.price_cents
}

/// Maps each event type's hosts (staff with that Cal.com user id) to its service.
async fn map_hosts(
    app: &App,
    company: &Company,
    branch_id: Option<i64>,
    event_types: &[EventType],
    service_of_event: &HashMap<i64, i64>,
) -> Result<u64> {
    let mut staff_by_user: HashMap<i64, Vec<i64>> = HashMap::new();
    for s in staff_in(app, company, branch_id).await? {
        if let Some(user) = s.calcom_user_id {
            staff_by_user.entry(user).or_default().push(s.id);
        }
    }
    let mut services_of_staff: HashMap<i64, Vec<i64>> = HashMap::new();
    for et in event_types {
        let Some(service) = service_of_event.get(&et.id) else { continue };
        for staff in et.hosts.iter().filter_map(|h| staff_by_user.get(&h.user_id)).flatten() {
            services_of_staff.entry(*staff).or_default().push(*service);
        }
    }
    let mut added = 0;
    for (staff, services) in services_of_staff {
        added += app.store.assign_services(company.id, staff, &services).await?;
    }
    Ok(added)
}

async fn staff_in(app: &App, company: &Company, branch_id: Option<i64>) -> Result<Vec<Staff>> {
    let branches = match branch_id {
        Some(b) => vec![b],
        None => app.store.branches(company.id).await?.into_iter().map(|b| b.id).collect(),
    };
    let mut all = Vec::new();
    for b in branches {
        all.extend(app.store.staff(company.id, b).await?);
    }
    Ok(all)
}

/// Event types, or members, of the company's team, with progress per page.
async fn fetch(
    app: &App,
    company: &Company,
    progress: &dyn Progress,
    event_types: bool,
) -> Result<(Vec<EventType>, Vec<Membership>)> {
    let client = app.calcom_client(company).await?;
    let team = app.calcom_team(company)?;
    let org = client.me().await?.organization_id;
    progress.start(0, if event_types { "reading event types" } else { "reading members" });
    let on_page = |n: usize| {
        progress.extend(n as u64);
        progress.advance(n as u64);
    };
    let fetched = if event_types {
        (client.team_event_types(team, org, &on_page).await?, Vec::new())
    } else {
        (Vec::new(), client.memberships(team, org, &on_page).await?)
    };
    progress.finish();
    Ok(fetched)
}

pub struct ImportStaff {
    pub branch_id: i64,
    pub dry_run: bool,
}

/// `calcom:import-staff`: accepted team members become staff of the branch, matched by Cal.com
/// user id, then e-mail.
pub async fn import_staff(app: &App, req: ImportStaff, progress: &dyn Progress) -> Result<ImportSummary> {
    let branch = branch::get(app, req.branch_id).await?;
    let company = company::get(app, branch.company_id).await?;
    let (_, members) = fetch(app, &company, progress, false).await?;
    let existing = app.store.staff(company.id, branch.id).await?;
    let mut summary = ImportSummary { dry_run: req.dry_run, fetched: members.len(), ..Default::default() };
    let mut steps: Vec<(Option<i64>, NewStaff)> = Vec::new();
    for m in &members {
        let email = m.user.email.as_deref().map(str::trim).filter(|e| !e.is_empty()).map(str::to_lowercase);
        let name = m.user.name.clone().or(m.user.username.clone()).unwrap_or_default().trim().to_string();
        let label = if name.is_empty() { format!("user {}", m.user_id) } else { name.clone() };
        if !m.accepted {
            summary.skipped.push(Skipped { name: label, reason: "invitation not accepted yet".into() });
            continue;
        }
        if name.is_empty() {
            summary.skipped.push(Skipped { name: label, reason: "member has no name".into() });
            continue;
        }
        let wanted = NewStaff {
            branch_id: branch.id,
            key: match &email {
                Some(e) => StaffKey::Email(e.clone()),
                None => StaffKey::Name(domain::name_key(&name)),
            },
            name,
            email,
            phone: None,
            calcom_user_id: Some(m.user_id),
            working_hours: None,
        };
        let found = existing.iter().find(|s| s.calcom_user_id == Some(m.user_id)).or_else(|| {
            existing.iter().find(|s| match &wanted.key {
                StaffKey::Email(e) => s.email.as_deref().map(str::to_lowercase).as_ref() == Some(e),
                StaffKey::Name(n) => s.email.is_none() && domain::name_key(&s.name) == *n,
            })
        });
        match found {
            Some(s)
                if s.name == wanted.name && s.email == wanted.email && s.calcom_user_id == wanted.calcom_user_id =>
            {
                summary.unchanged += 1
            }
            Some(s) => steps.push((Some(s.id), wanted)),
            None => steps.push((None, wanted)),
        }
    }
    summary.created = steps.iter().filter(|(id, _)| id.is_none()).count();
    summary.updated = steps.len() - summary.created;
    if req.dry_run {
        return Ok(summary);
    }
    progress.start(steps.len() as u64, "importing staff");
    for (id, staff) in steps {
        match id {
            Some(id) => app.store.update_staff(company.id, id, &staff).await?,
            None => app.store.insert_staff(company.id, &staff).await?,
        };
        progress.advance(1);
    }
    progress.finish();
    Ok(summary)
}

/// One difference between askpro and Cal.com.
#[derive(Debug, Serialize)]
pub struct Drift {
    pub kind: &'static str,
    pub name: String,
    pub askpro: String,
    pub calcom: String,
    pub problem: String,
}

/// `calcom:verify-sync`: every difference between the company's services and staff and its
/// Cal.com team. Empty means in sync.
pub async fn verify_sync(app: &App, company_id: i64, progress: &dyn Progress) -> Result<Vec<Drift>> {
    let company = company::get(app, company_id).await?;
    let (event_types, _) = fetch(app, &company, progress, true).await?;
    let (_, members) = fetch(app, &company, progress, false).await?;
    let services = app.store.services(company.id, None).await?;
    let staff = staff_in(app, &company, None).await?;
    let mut drift = Vec::new();
    let describe = |s: &Service| format!("{} min, {}", s.duration_min, price(s.price_cents));

    let visible: Vec<&EventType> = event_types.iter().filter(|e| !e.hidden).collect();
    for et in &visible {
        let calcom = format!("{} min, {}", et.length_in_minutes, price(et.price.filter(|p| *p > 0)));
        match services.iter().find(|s| s.calcom_event_type_id == Some(et.id)) {
            None => drift.push(Drift {
                kind: "service",
                name: et.title.clone(),
                askpro: "—".into(),
                calcom: format!("event type {}: {calcom}", et.id),
                problem: "not imported (run calcom:import-services)".into(),
            }),
            Some(s)
                if s.name != et.title.trim()
                    || s.duration_min != et.length_in_minutes
                    || s.price_cents != et.price.filter(|p| *p > 0) =>
            {
                drift.push(Drift {
                    kind: "service",
                    name: s.name.clone(),
                    askpro: describe(s),
                    calcom: format!("{}: {calcom}", et.title),
                    problem: "differs".into(),
                })
            }
            Some(_) => {}
        }
    }
    let known: HashSet<i64> = visible.iter().map(|e| e.id).collect();
    for s in &services {
        let problem = match s.calcom_event_type_id {
            Some(id) if !known.contains(&id) => format!("event type {id} no longer exists in the team"),
            None if company.scheduling == "calcom" => "not linked to an event type; it cannot be booked".into(),
            _ => continue,
        };
        drift.push(Drift { kind: "service", name: s.name.clone(), askpro: describe(s), calcom: "—".into(), problem });
    }
    let accepted: Vec<&Membership> = members.iter().filter(|m| m.accepted).collect();
    for m in &accepted {
        if !staff.iter().any(|s| s.calcom_user_id == Some(m.user_id)) {
            drift.push(Drift {
                kind: "staff",
                name: m.user.name.clone().unwrap_or_else(|| format!("user {}", m.user_id)),
                askpro: "—".into(),
                calcom: format!("user {}", m.user_id),
                problem: "member not imported (run calcom:import-staff)".into(),
            });
        }
    }
    let member_ids: HashSet<i64> = accepted.iter().map(|m| m.user_id).collect();
    for s in &staff {
        if let Some(user) = s.calcom_user_id.filter(|u| !member_ids.contains(u)) {
            drift.push(Drift {
                kind: "staff",
                name: s.name.clone(),
                askpro: format!("staff {} (user {user})", s.id),
                calcom: "—".into(),
                problem: "no longer a member of the team".into(),
            });
        }
    }
    Ok(drift)
}

fn price(cents: Option<i64>) -> String {
    match cents {
        Some(c) => format!("€{}.{:02}", c / 100, c % 100),
        None => "no price".into(),
    }
}

/// Drift, as the error `calcom:verify-sync` exits with (code 1).
pub fn drift_error(drift: &[Drift]) -> Error {
    Error::check_failed(format!("{} difference(s) between askpro and Cal.com", drift.len()))
        .with_help("run `askpro calcom:import-services` and `askpro calcom:import-staff`, then check again")
}
