//! `onboarding:automated` (and the wizard's last step): a whole business from an industry
//! preset in one go — the company with the preset's settings and greetings, its branches with
//! the preset's hours, the preset's services and synonyms, staff placeholders per branch who
//! perform what their role offers, and, where Retell is configured, one agent per branch.
//!
//! [`plan`] works out everything first, reading only, so that `--dry-run` shows the whole plan
//! and a bad flag or preset changes nothing; [`apply`] writes every row in one transaction
//! (`Store::onboard`) and only then asks Retell for the agents, one branch at a time, each
//! recorded as it is made. A re-run with `--if-not-exists` finds what exists — company,
//! branches, services, staff by their natural keys, agents by branch — and creates only what
//! is missing.

use serde::Serialize;

use super::{company, retell, Progress};
use crate::app::App;
use crate::domain::{self, BusinessHours, Country, E164};
use crate::error::{Error, ErrorKind, Result};
use crate::store::{
    BusinessService, BusinessStaff, Existing, NewBranch, NewBusiness, NewCompany, NewService, NewStaff, StaffKey,
};
use crate::templates::Industry;

/// The most branches one onboarding creates.
pub const MAX_BRANCHES: u32 = 100;
/// The most staff placeholders per branch.
pub const MAX_STAFF_PER_BRANCH: u32 = 50;

/// What to onboard.
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub name: String,
    /// A preset key, or a preset file.
    pub industry: String,
    /// How many branches (default 1, or as many as `branch_names`).
    pub branches: Option<u32>,
    pub branch_names: Vec<String>,
    pub email: Option<String>,
    /// The company's number; the first branch answers it.
    pub phone: Option<String>,
    /// Staff placeholders per branch (default: one per role of the preset).
    pub staff_per_branch: Option<u32>,
    pub if_not_exists: bool,
    /// Choices the wizard makes; `None` takes the preset's.
    pub choices: Choices,
}

/// What the wizard lets an operator change from the preset.
#[derive(Debug, Clone, Default)]
pub struct Choices {
    /// Only these of the preset's services (by name).
    pub services: Option<Vec<String>>,
    /// Staff names per branch, instead of placeholders (an empty list keeps that branch's placeholders).
    pub staff_names: Option<Vec<Vec<String>>>,
    /// Opening hours per branch (JSON as `branch:create --business-hours` takes), instead of the preset's.
    pub hours: Option<Vec<String>>,
    /// Whether to clone agents now (default: when Retell is configured).
    pub clone_agents: Option<bool>,
}

/// Everything onboarding would do; `exists` marks what a re-run found already there.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub company: Planned,
    pub industry: String,
    /// The agent template the preset names.
    pub agent_template: String,
    pub settings: Vec<(String, String)>,
    pub greetings: Vec<String>,
    pub branches: Vec<PlannedBranch>,
    pub services: Vec<PlannedService>,
    pub staff: Vec<PlannedStaff>,
    /// One per branch, when agents are cloned: the template and whether the branch has one.
    pub agents: Vec<PlannedAgent>,
    /// Why no agents are planned, when none are.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agents_skipped: Option<String>,
    #[serde(skip)]
    business: NewBusiness,
}

#[derive(Debug, Clone, Serialize)]
pub struct Planned {
    pub name: String,
    pub exists: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlannedBranch {
    pub name: String,
    pub exists: Option<i64>,
    pub hours: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlannedService {
    pub name: String,
    pub duration_min: i64,
    pub price_eur: f64,
    pub synonyms: usize,
    pub exists: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlannedStaff {
    pub branch: String,
    pub name: String,
    pub role: String,
    pub services: Vec<String>,
    pub exists: Option<i64>,
    /// Named after its role, for the operator to replace.
    pub placeholder: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlannedAgent {
    pub branch: String,
    pub template: String,
    /// The Retell agent the branch has already.
    pub exists: Option<String>,
}

/// What onboarding did.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub company_id: i64,
    pub branch_ids: Vec<i64>,
    pub service_ids: Vec<i64>,
    pub staff_ids: Vec<i64>,
    /// Rows that were new (the rest existed).
    pub created: Created,
    pub agents: Vec<AgentOutcome>,
    /// What is left to do before calls come in, each with its command.
    pub next: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Created {
    pub company: bool,
    pub branches: usize,
    pub services: usize,
    pub synonyms: u64,
    pub staff: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct AgentOutcome {
    pub branch_id: i64,
    pub branch: String,
    /// `created`, `exists` or `failed`.
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// What an existing company already has, for the wizard to finish its onboarding: its name, its
/// industry preset (`None` when it has none, or one no longer known), contact and branch names.
#[derive(Debug, Clone)]
pub struct Current {
    pub name: String,
    pub industry: Option<Industry>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub branch_names: Vec<String>,
}

/// Reads an existing company for [`Request`]s with `if_not_exists`, which show what exists and
/// create only what is missing.
pub async fn current(app: &App, company_id: i64) -> Result<Current> {
    let company = company::get(app, company_id).await?;
    let branches = app.store.branches(company_id).await?;
    Ok(Current {
        industry: company.industry.as_deref().and_then(|key| Industry::load(key).ok()),
        name: company.name,
        email: company.email,
        phone: company.phone,
        branch_names: branches.into_iter().map(|b| b.name).collect(),
    })
}

/// Works out everything [`apply`] would do, reading only.
pub async fn plan(app: &App, req: &Request) -> Result<Plan> {
    let industry = Industry::load(&req.industry)?;
    let name = domain::require_name(&req.name, "--name")?;
    let name_key = domain::name_key(&name);
    let country: Country = "DE".parse()?;
    let email = req.email.as_deref().map(domain::parse_email).transpose()?;
    let phone = E164::parse_opt(req.phone.as_deref(), country)?;
    let existing = app.store.company_by_name(&name_key).await?;
    if existing.is_some() && !req.if_not_exists {
        return Err(Error::conflict(format!("a company named '{name}' already exists"))
            .with_help("pass --if-not-exists to finish its onboarding, or choose another --name"));
    }
    if let Some(c) = &existing {
        if c.industry.as_deref().is_some_and(|k| k != industry.key) {
            return Err(Error::conflict(format!(
                "company '{}' was onboarded with the preset '{}', not '{}'",
                c.name,
                c.industry.as_deref().unwrap_or_default(),
                industry.key
            ))
            .with_help("finish it with its own preset, or choose another --name"));
        }
    }
    let company_id = existing.as_ref().map(|c| c.id);
    // A company that exists keeps its name as stored, and its branches come first.
    let name = existing.as_ref().map_or(name, |c| c.name.clone());
    let existing_branches = match company_id {
        Some(id) => app.store.branches(id).await?,
        None => Vec::new(),
    };
    let existing_names: Vec<String> = existing_branches.iter().map(|b| b.name.clone()).collect();
    let branch_names = branch_names(req, &existing_names)?;

    // Services: the preset's, or the wizard's choice of them.
    let mut services: Vec<&crate::templates::IndustryService> = industry.services.iter().collect();
    if let Some(chosen) = &req.choices.services {
        let keys: Vec<String> = chosen.iter().map(|s| domain::name_key(s)).collect();
        if let Some(unknown) = keys.iter().find(|k| !services.iter().any(|s| domain::name_key(&s.name) == **k)) {
            return Err(Error::invalid(format!("the preset '{}' has no service '{unknown}'", industry.key)));
        }
        services.retain(|s| keys.contains(&domain::name_key(&s.name)));
        if services.is_empty() {
            return Err(Error::invalid("choose at least one service"));
        }
    }
    let mut planned_services = Vec::new();
    let mut business_services = Vec::new();
    for s in &services {
        let key = domain::name_key(&s.name);
        let exists = match company_id {
            Some(id) => app.store.service_by_name(id, &key).await?.map(|s| s.id),
            None => None,
        };
        planned_services.push(PlannedService {
            name: s.name.clone(),
            duration_min: s.duration,
            price_eur: s.price,
            synonyms: s.synonyms.len(),
            exists,
        });
        business_services.push(BusinessService {
            service: match exists {
                Some(id) => Existing::Id(id),
                None => Existing::New(NewService {
                    branch_id: None,
                    name: s.name.clone(),
                    name_key: key,
                    duration_min: s.duration,
                    price_cents: Some((s.price * 100.0).round() as i64),
                    calcom_event_type_id: None,
                }),
            },
            synonyms: s.synonyms.iter().map(|y| (y.clone(), domain::name_key(y))).collect(),
        });
    }

    // Branches, with the preset's hours (or the wizard's); the first answers the company's number.
    let preset_hours = industry.hours()?;
    let mut planned_branches = Vec::new();
    let mut business_branches = Vec::new();
    for (i, branch_name) in branch_names.iter().enumerate() {
        let key = domain::name_key(branch_name);
        let found = existing_branches.iter().find(|b| domain::name_key(&b.name) == key);
        let exists = found.map(|b| b.id);
        let hours = match (found, req.choices.hours.as_ref().and_then(|h| h.get(i))) {
            // An existing branch keeps its hours; the plan shows them.
            (Some(b), _) => BusinessHours::from_json(&serde_json::from_str(&b.business_hours)?)?,
            (None, Some(json)) => BusinessHours::from_arg(json)?,
            (None, None) => preset_hours.clone(),
        };
        if found.is_none() && !hours.opens() {
            return Err(Error::invalid(format!("the hours of branch '{branch_name}' open on no day"))
                .with_help("give at least one day, e.g. {\"monday\": {\"open\": \"09:00\", \"close\": \"18:00\"}}"));
        }
        let branch_phone = if i == 0 { phone.clone() } else { None };
        if let (None, Some(number)) = (exists, &branch_phone) {
            super::branch::ensure_phone_free(app, number.as_str(), None).await?;
        }
        planned_branches.push(PlannedBranch {
            name: branch_name.clone(),
            exists,
            hours: hours.compact_summary(),
            phone: branch_phone.as_ref().map(|p| p.as_str().to_string()),
        });
        business_branches.push(match exists {
            Some(id) => Existing::Id(id),
            None => Existing::New(NewBranch {
                name: branch_name.clone(),
                name_key: key,
                address: None,
                phone: branch_phone.map(|p| p.as_str().to_string()),
                email: None,
                timezone: "Europe/Berlin".to_string(),
                business_hours: hours.to_json().to_string(),
            }),
        });
    }

    // Staff: placeholders per branch, one per role (or as many as asked, the roles in turn),
    // each performing what the role offers; or the wizard's names, performing every service.
    let roles: Vec<(String, Vec<usize>)> = match industry.staff_roles.is_empty() {
        true => vec![("Team".to_string(), (0..services.len()).collect())],
        false => industry
            .staff_roles
            .iter()
            .map(|role| {
                let offered: Vec<String> =
                    industry.role_services(role).iter().map(|s| domain::name_key(&s.name)).collect();
                let indexes = (0..services.len()).filter(|i| offered.contains(&domain::name_key(&services[*i].name)));
                (role.name.clone(), indexes.collect::<Vec<usize>>())
            })
            .filter(|(_, offered)| !offered.is_empty())
            .collect(),
    };
    let per_branch = req.staff_per_branch.unwrap_or(roles.len().max(1) as u32);
    if !(1..=MAX_STAFF_PER_BRANCH).contains(&per_branch) {
        return Err(Error::invalid(format!("--staff-per-branch must be 1–{MAX_STAFF_PER_BRANCH}, not {per_branch}")));
    }
    let mut planned_staff = Vec::new();
    let mut business_staff = Vec::new();
    for (b, branch) in planned_branches.iter().enumerate() {
        let chosen = req.choices.staff_names.as_ref().and_then(|n| n.get(b)).filter(|n| !n.is_empty());
        // A branch that exists with staff of its own gets no placeholders beside them.
        let staffed = match (branch.exists, company_id) {
            (Some(branch_id), Some(company)) => !app.store.staff(company, branch_id).await?.is_empty(),
            _ => false,
        };
        let placeholder = chosen.is_none();
        let members: Vec<(String, String, Vec<usize>)> = match chosen {
            None if staffed => Vec::new(),
            Some(names) => names
                .iter()
                .map(|n| domain::require_name(n, "staff name"))
                .map(|n| n.map(|n| (n, "Team".to_string(), (0..services.len()).collect())))
                .collect::<Result<_>>()?,
            None => (0..per_branch as usize)
                .map(|i| {
                    let (role, offered) = roles.get(i % roles.len().max(1)).cloned().unwrap_or_default();
                    (format!("{role} {}", i / roles.len().max(1) + 1), role, offered)
                })
                .collect(),
        };
        for (name, role, offered) in members {
            let key = domain::name_key(&name);
            let exists = match branch.exists {
                Some(branch_id) => app
                    .store
                    .staff_by_key(company_id.unwrap_or_default(), branch_id, &StaffKey::Name(key.clone()))
                    .await?
                    .map(|s| s.id),
                None => None,
            };
            planned_staff.push(PlannedStaff {
                branch: branch.name.clone(),
                name: name.clone(),
                role,
                services: offered.iter().map(|i| services[*i].name.clone()).collect(),
                exists,
                placeholder,
            });
            business_staff.push(BusinessStaff {
                branch: b,
                staff: match exists {
                    Some(id) => Existing::Id(id),
                    None => Existing::New(NewStaff {
                        branch_id: 0,
                        name,
                        email: None,
                        phone: None,
                        calcom_user_id: None,
                        working_hours: None,
                        key: StaffKey::Name(key),
                    }),
                },
                services: offered,
            });
        }
    }

    // The company and its settings, from the preset.
    let settings = company::preset_settings(&industry);
    let greetings: Vec<_> = match existing {
        Some(_) => Vec::new(),
        None => industry.greetings.iter().map(|(kind, t)| (kind, t.to_string())).collect(),
    };
    let company = match company_id {
        Some(id) => Existing::Id(id),
        None => Existing::New(NewCompany {
            name: name.clone(),
            name_key,
            email,
            phone: phone.as_ref().map(|p| p.as_str().to_string()),
            country: country.code(),
            timezone: "Europe/Berlin".to_string(),
            industry: Some(industry.key.clone()),
            scheduling: company::Scheduling::Local.as_str().to_string(),
            calcom_team_id: None,
            calcom_api_key: None,
            retell_api_key: None,
            settings,
        }),
    };

    // Agents, one per branch, when Retell is configured.
    let (agents, agents_skipped) = agent_plan(app, req, &industry, company_id, &planned_branches).await?;
    Ok(Plan {
        company: Planned { name, exists: company_id },
        industry: industry.key.clone(),
        agent_template: industry.agent_template.clone(),
        settings: vec![
            ("callback channels".into(), industry.callback_channels.join(", ")),
            ("cancellation notice".into(), format!("{} h", industry.cancellation_hours)),
            (
                "service prediction".into(),
                format!("{} (≥ {})", on_off(industry.enable_smart_service), industry.service_confidence_threshold),
            ),
            (
                "staff preferences".into(),
                format!("{} (≥ {})", on_off(industry.enable_staff_preferences), industry.staff_confidence_threshold),
            ),
        ],
        greetings: greetings.iter().map(|(kind, _)| kind.as_str().to_string()).collect(),
        branches: planned_branches,
        services: planned_services,
        staff: planned_staff,
        agents,
        agents_skipped,
        business: NewBusiness {
            company,
            greetings,
            branches: business_branches,
            services: business_services,
            staff: business_staff,
        },
    })
}

fn on_off(on: bool) -> &'static str {
    if on {
        "on"
    } else {
        "off"
    }
}

/// The branch names: the given ones; else, for `--branches N`, the company's existing branches
/// first and then `Filiale k` up to N (one new branch: `Hauptsitz`).
fn branch_names(req: &Request, existing: &[String]) -> Result<Vec<String>> {
    let given: Vec<String> = req.branch_names.iter().map(|n| n.trim().to_string()).collect();
    if given.iter().any(String::is_empty) {
        return Err(Error::invalid("--branch-names has an empty name").with_help("e.g. --branch-names Mitte,Pankow"));
    }
    let count = match (req.branches, given.len()) {
        (Some(n), g) if g > 0 && n as usize != g => {
            return Err(Error::invalid(format!("--branches {n} but {g} --branch-names"))
                .with_help("give as many names as branches, or leave one of the two out"));
        }
        (Some(n), _) => n,
        (None, 0) => existing.len().max(1) as u32,
        (None, g) => g as u32,
    };
    if !(1..=MAX_BRANCHES).contains(&count) {
        return Err(Error::invalid(format!("--branches must be 1–{MAX_BRANCHES}, not {count}")));
    }
    if !given.is_empty() {
        let mut seen = std::collections::HashSet::new();
        for name in &given {
            if !seen.insert(domain::name_key(name)) {
                return Err(Error::invalid(format!("--branch-names has '{name}' twice")));
            }
        }
        return given.iter().map(|n| domain::require_name(n, "--branch-names")).collect();
    }
    let mut names: Vec<String> = existing.iter().take(count as usize).cloned().collect();
    let taken = |n: &str, names: &[String]| names.iter().any(|e| domain::name_key(e) == domain::name_key(n));
    if names.is_empty() && count == 1 {
        names.push("Hauptsitz".to_string());
    }
    let mut k = 1;
    while names.len() < count as usize {
        let candidate = format!("Filiale {k}");
        if !taken(&candidate, &names) && !taken(&candidate, existing) {
            names.push(candidate);
        }
        k += 1;
    }
    Ok(names)
}

/// One agent per branch from the preset's template, when Retell is configured and wanted;
/// otherwise why not.
async fn agent_plan(
    app: &App,
    req: &Request,
    industry: &Industry,
    company_id: Option<i64>,
    branches: &[PlannedBranch],
) -> Result<(Vec<PlannedAgent>, Option<String>)> {
    let wanted = req.choices.clone_agents.unwrap_or(true);
    let missing = match (&app.settings.retell_api_key, &app.settings.public_url) {
        (None, _) => Some("RETELL_API_KEY is not set"),
        (_, None) => Some("ASKPRO_PUBLIC_URL is not set"),
        _ => None,
    };
    if !wanted {
        return Ok((Vec::new(), Some("not asked for".into())));
    }
    if let Some(why) = missing {
        return Ok((Vec::new(), Some(why.into())));
    }
    let recorded = match company_id {
        Some(id) => app.store.agents(Some(id)).await?,
        None => Vec::new(),
    };
    Ok((
        branches
            .iter()
            .map(|b| PlannedAgent {
                branch: b.name.clone(),
                template: industry.agent_template.clone(),
                exists: b
                    .exists
                    .and_then(|id| recorded.iter().find(|a| a.branch_id == id).map(|a| a.retell_agent_id.clone())),
            })
            .collect(),
        None,
    ))
}

/// [`plan`] and [`apply`]. With `if_not_exists`, a run for the same company at the same moment
/// that committed first makes this one's transaction meet its rows: then this one plans again,
/// finding them, and finishes what is missing (a few times at most).
pub async fn run(app: &App, req: &Request, progress: &dyn Progress) -> Result<(Plan, Outcome)> {
    let mut attempt = 0;
    loop {
        let plan = plan(app, req).await?;
        match apply(app, &plan, progress).await {
            Err(e) if e.kind() == ErrorKind::Conflict && req.if_not_exists && attempt < 3 => {
                attempt += 1;
                tokio::time::sleep(std::time::Duration::from_millis(20 * attempt)).await;
            }
            other => return other.map(|outcome| (plan, outcome)),
        }
    }
}

/// Writes the plan in one transaction, then clones the agents it plans (each recorded as it is
/// made; a failure leaves the others and the database as they are, for a re-run).
pub async fn apply(app: &App, plan: &Plan, progress: &dyn Progress) -> Result<Outcome> {
    let agents_to_make = plan.agents.iter().filter(|a| a.exists.is_none()).count() as u64;
    progress.start(1 + agents_to_make, "onboarding");
    let written = app.store.onboard(&plan.business).await.map_err(|e| match e.kind() {
        ErrorKind::Conflict => {
            Error::conflict(format!("onboarding '{}' met a row created meanwhile: {}", plan.company.name, e.message()))
                .with_help("run it again with --if-not-exists")
        }
        _ => e,
    })?;
    progress.advance(1);
    let mut agents = Vec::new();
    for (agent, (&branch_id, branch)) in plan.agents.iter().zip(written.branch_ids.iter().zip(&plan.branches)) {
        if let Some(id) = &agent.exists {
            agents.push(AgentOutcome {
                branch_id,
                branch: branch.name.clone(),
                status: "exists",
                agent_id: Some(id.clone()),
                error: None,
            });
            continue;
        }
        let request = retell::CloneRequest {
            source: retell::Source::parse(&agent.template)?,
            company_id: written.company_id,
            branch_id,
            name: None,
            voice_id: None,
            language: "de-DE".to_string(),
            dry_run: false,
        };
        agents.push(match retell::clone_agent(app, request).await {
            Ok(cloned) => AgentOutcome {
                branch_id,
                branch: branch.name.clone(),
                status: "created",
                agent_id: cloned.agent_id,
                error: None,
            },
            Err(e) => AgentOutcome {
                branch_id,
                branch: branch.name.clone(),
                status: "failed",
                agent_id: None,
                error: Some(e.to_string()),
            },
        });
        progress.advance(1);
    }
    progress.finish();
    let created = Created {
        company: matches!(plan.business.company, Existing::New(_)),
        branches: plan.branches.iter().filter(|b| b.exists.is_none()).count(),
        services: plan.services.iter().filter(|s| s.exists.is_none()).count(),
        synonyms: written.synonyms,
        staff: plan.staff.iter().filter(|s| s.exists.is_none()).count(),
    };
    let next = next_steps(plan, &written.branch_ids, &agents, written.company_id);
    Ok(Outcome {
        company_id: written.company_id,
        branch_ids: written.branch_ids,
        service_ids: written.service_ids,
        staff_ids: written.staff_ids,
        created,
        agents,
        next,
    })
}

/// What is left before calls come in, each with the command that does it.
fn next_steps(plan: &Plan, branch_ids: &[i64], agents: &[AgentOutcome], company_id: i64) -> Vec<String> {
    let mut next = Vec::new();
    if let Some(why) = &plan.agents_skipped {
        for (branch, id) in plan.branches.iter().zip(branch_ids) {
            next.push(format!(
                "an agent for {} ({why}): askpro retell:clone-agent --from {} --company-id {company_id} --branch-id {id}",
                branch.name, plan.agent_template
            ));
        }
    }
    if agents.iter().any(|a| a.status == "failed") {
        next.push(format!(
            "the agents that failed: the same onboarding:automated again with --if-not-exists (company {company_id})"
        ));
    }
    for agent in agents.iter().filter(|a| a.agent_id.is_some()) {
        next.push(format!(
            "a phone number for {}: askpro retell:assign-phone --agent-id {} --phone NUMBER",
            agent.branch,
            agent.agent_id.as_deref().unwrap_or_default()
        ));
    }
    for (branch, id) in plan.branches.iter().zip(branch_ids) {
        let placeholders: Vec<&str> = plan
            .staff
            .iter()
            .filter(|s| s.branch == branch.name && s.exists.is_none() && s.placeholder)
            .map(|s| s.name.as_str())
            .collect();
        if !placeholders.is_empty() {
            next.push(format!(
                "real staff for {} (now placeholders: {}): askpro staff:create --branch-id {id} --name …, then staff:assign-services",
                branch.name,
                placeholders.join(", ")
            ));
        }
    }
    next.push(format!("check it: askpro preflight:check --company-id {company_id}"));
    next
}
