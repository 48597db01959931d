//! Each company: Retell key, agents, numbers, Cal.com, who can book.

use super::*;

/// Everything one company needs to take calls.
pub(super) async fn company_checks(
    app: &App,
    company: &Company,
    public: &Public,
    req: &Request,
    upstream: &tokio::sync::Semaphore,
) -> Vec<Check> {
    let scope = format!("company {}", company.id);
    let limit = req.timeout;
    let loaded = tokio::time::timeout(limit, async {
        let branches = app.store.branches(company.id).await?;
        let agents = app.store.agents(Some(company.id)).await?;
        let numbers = app.store.phone_numbers(company.id).await?;
        let services = app.store.services(company.id, None).await?;
        let mut staff = Vec::new();
        let mut mapped = Vec::new();
        for b in &branches {
            staff.push(app.store.staff(company.id, b.id).await?);
            mapped.push(app.store.staff_service_names(company.id, b.id).await?);
        }
        Ok::<_, Error>((branches, agents, numbers, services, staff, mapped))
    })
    .await;
    let (branches, agents, numbers, services, staff, mapped) = match loaded {
        Ok(Ok(all)) => all,
        Ok(Err(e)) => return vec![Check::error(&scope, "company", &e, "check the database (askpro db:status)")],
        Err(_) => {
            return vec![Check::fail(
                &scope,
                "company",
                format!("its records did not load within {} s", seconds(limit)),
                "check the database's load",
            )]
        }
    };
    let mut checks = Vec::new();
    if branches.is_empty() {
        checks.push(Check::warn(
            &scope,
            "branches",
            format!("'{}' has no branch: no phone reaches it", company.name),
            format!("askpro branch:create --company-id {} --name NAME --phone PHONE", company.id),
        ));
    }
    // The branch's agent: the one recorded last for it.
    let agent_of = |branch: &Branch| agents.iter().rev().find(|a| a.branch_id == branch.id);
    for (i, branch) in branches.iter().enumerate() {
        let bscope = format!("{scope}, branch {}", branch.id);
        checks.push(match agent_of(branch) {
            Some(a) => Check::pass(&bscope, "agent", format!("'{}' is answered by {}", branch.name, a.retell_agent_id)),
            None => Check::fail(
                &bscope,
                "agent",
                format!("'{}' has no Retell agent", branch.name),
                format!(
                    "askpro retell:clone-agent --from booking-de --company-id {} --branch-id {}",
                    company.id, branch.id
                ),
            ),
        });
        checks.push(can_book(&bscope, branch, &staff[i], &mapped[i]));
    }
    if company.scheduling == "calcom" {
        checks.extend(calcom_mapping(&scope, company, &branches, &services, &staff));
    }

    // What needs Retell and Cal.com.
    if req.skip_external {
        checks.push(Check::skip(&scope, "retell key", EXTERNAL_SKIPPED));
        for branch in branches.iter().filter(|b| agent_of(b).is_some()) {
            let bscope = format!("{scope}, branch {}", branch.id);
            for name in ["agent published", "agent URLs", "agent drift", "phone"] {
                checks.push(Check::skip(&bscope, name, EXTERNAL_SKIPPED));
            }
        }
        if company.scheduling == "calcom" {
            checks.push(Check::skip(&scope, "calcom", CALCOM_SKIPPED));
        }
        return by_branch(checks);
    }
    let calcom = async {
        if company.scheduling != "calcom" {
            return Vec::new();
        }
        let fix = format!(
            "set the key with `askpro company:config --company-id {} --calcom-api-key cal_live_…` and check it with calcom:test-connection",
            company.id
        );
        let _turn = upstream.acquire().await;
        vec![match tokio::time::timeout(limit, crate::ops::calcom::test_connection(app, company.id)).await {
            Ok(Ok(c)) => Check::pass(
                &scope,
                "calcom",
                format!(
                    "the key of {} reaches team {} '{}'",
                    c.user.username.as_deref().or(c.user.email.as_deref()).unwrap_or("its user"),
                    c.team.id,
                    c.team.name
                ),
            ),
            Ok(Err(e)) => Check::error(&scope, "calcom", &e, &fix),
            Err(_) => Check::fail(&scope, "calcom", format!("Cal.com did not answer within {} s", seconds(limit)), fix),
        }]
    };
    let retell = retell_checks(app, company, &scope, &branches, &agents, &numbers, public, limit, upstream);
    let (calcom, retell) = tokio::join!(calcom, retell);
    checks.extend(retell);
    checks.extend(calcom);
    by_branch(checks)
}

/// The company's own checks first, then each branch's together, in branch order.
pub(super) fn by_branch(mut checks: Vec<Check>) -> Vec<Check> {
    checks.sort_by_key(|c| c.scope.split_once(", branch ").and_then(|(_, id)| id.parse::<i64>().ok()));
    checks
}

/// Hours on at least one day, and at least one active staff member who performs a service.
pub(super) fn can_book(scope: &str, branch: &Branch, staff: &[crate::store::Staff], mapped: &[(i64, String)]) -> Check {
    let name = "can book";
    let open = BusinessHours::parse_json(&branch.business_hours)
        .map(|h| (0..7u8).any(|d| !h.shifts(Weekday(d)).is_empty()))
        .unwrap_or(false);
    if !open {
        return Check::fail(
            scope,
            name,
            format!("'{}' cannot book: it has no opening hours", branch.name),
            "give the branch opening hours (branch:create --business-hours @hours.json; there is no branch:update yet)",
        );
    }
    let active: Vec<&crate::store::Staff> = staff.iter().filter(|s| s.active).collect();
    let Some(first) = active.first() else {
        return Check::fail(
            scope,
            name,
            format!("'{}' cannot book: no active staff member", branch.name),
            format!(
                "askpro staff:create --branch-id {} --name NAME, then askpro staff:assign-services --staff-id ID --services all",
                branch.id
            ),
        );
    };
    let performing = active.iter().filter(|s| mapped.iter().any(|(id, _)| *id == s.id)).count();
    if performing == 0 {
        return Check::fail(
            scope,
            name,
            format!("'{}' cannot book: none of its {} staff member(s) performs a service", branch.name, active.len()),
            format!("askpro staff:assign-services --staff-id {} --services all", first.id),
        );
    }
    Check::pass(
        scope,
        name,
        format!("'{}' is open and {performing} of {} staff member(s) perform services", branch.name, active.len()),
    )
}

/// A Cal.com company: every active service linked to an event type, every staff member to a user.
pub(super) fn calcom_mapping(
    scope: &str,
    company: &Company,
    branches: &[Branch],
    services: &[crate::store::Service],
    staff: &[Vec<crate::store::Staff>],
) -> Vec<Check> {
    let unmapped: Vec<&str> =
        services.iter().filter(|s| s.active && s.calcom_event_type_id.is_none()).map(|s| s.name.as_str()).collect();
    let services = if unmapped.is_empty() {
        Check::pass(scope, "services mapped", format!("{} service(s), each linked to an event type", services.len()))
    } else {
        Check::fail(
            scope,
            "services mapped",
            format!("not linked to a Cal.com event type, so not bookable: {}", unmapped.join(", ")),
            format!(
                "askpro calcom:import-services --company-id {} --force (links services named like the team's event types)",
                company.id
            ),
        )
    };
    let mut unmapped_staff = Vec::new();
    let mut branch_to_import = None;
    for (branch, members) in branches.iter().zip(staff) {
        for s in members.iter().filter(|s| s.active && s.calcom_user_id.is_none()) {
            unmapped_staff.push(format!("{} (branch {})", s.name, branch.id));
            branch_to_import.get_or_insert(branch.id);
        }
    }
    let staff = match branch_to_import {
        None => Check::pass(scope, "staff mapped", "every active staff member is a Cal.com user"),
        Some(branch) => Check::fail(
            scope,
            "staff mapped",
            format!("not linked to a Cal.com user: {}", unmapped_staff.join(", ")),
            format!("askpro calcom:import-staff --branch-id {branch} (matches team members by e-mail)"),
        ),
    };
    vec![services, staff]
}

/// The company's Retell key; for each branch's agent: published, wired to this daemon, no
/// drift; every number bound to its agent's published version.
#[allow(clippy::too_many_arguments)]
pub(super) async fn retell_checks(
    app: &App,
    company: &Company,
    scope: &str,
    branches: &[Branch],
    agents: &[AgentRecord],
    numbers: &[crate::store::RegisteredNumber],
    public: &Public,
    limit: Duration,
    upstream: &tokio::sync::Semaphore,
) -> Vec<Check> {
    let client = match crate::ops::retell::client(app, company).await {
        Ok(client) => client,
        Err(e) => {
            let mut checks = vec![Check::error(scope, "retell key", &e, "set RETELL_API_KEY")];
            for branch in branches.iter().filter(|b| agents.iter().any(|a| a.branch_id == b.id)) {
                let bscope = format!("{scope}, branch {}", branch.id);
                for name in ["agent published", "agent URLs", "agent drift", "phone"] {
                    checks.push(Check::skip(&bscope, name, "skipped: no Retell key"));
                }
            }
            return checks;
        }
    };
    let key_fix = format!(
        "set a valid key: RETELL_API_KEY, or `askpro company:config --company-id {} --retell-api-key key_…`",
        company.id
    );
    let turn = upstream.acquire().await;
    let voices = tokio::time::timeout(limit, client.list_voices()).await;
    drop(turn);
    let key = match voices {
        Ok(Ok(voices)) => Check::pass(scope, "retell key", format!("valid ({} voices available)", voices.len())),
        Ok(Err(e)) => {
            let check = Check::fail(scope, "retell key", e.to_string(), key_fix);
            let invalid = matches!(e, RetellError::Auth { .. });
            let mut checks = vec![check];
            for branch in branches.iter().filter(|b| agents.iter().any(|a| a.branch_id == b.id)) {
                let bscope = format!("{scope}, branch {}", branch.id);
                for name in ["agent published", "agent URLs", "agent drift", "phone"] {
                    let why = if invalid { "skipped: the Retell key is refused" } else { "skipped: Retell failed" };
                    checks.push(Check::skip(&bscope, name, why));
                }
            }
            return checks;
        }
        Err(_) => {
            Check::fail(scope, "retell key", format!("Retell did not answer within {} s", seconds(limit)), key_fix)
        }
    };
    let per_branch = join_all(branches.iter().filter_map(|branch| {
        let agent = agents.iter().rev().find(|a| a.branch_id == branch.id)?;
        let client = &client;
        Some(async move {
            let _turn = upstream.acquire().await;
            let bscope = format!("{scope}, branch {}", branch.id);
            let mut checks = agent_checks(company, branch, agent, client, public, &bscope, limit).await;
            checks.extend(phone_checks(branch, agent, agents, numbers, client, &bscope, limit).await);
            checks
        })
    }))
    .await;
    let mut checks = vec![key];
    checks.extend(per_branch.into_iter().flatten());
    checks
}

pub(super) fn clone_fix(company: &Company, branch: &Branch, agent: &AgentRecord) -> String {
    let from = agent.template.clone().unwrap_or_else(|| agent.retell_agent_id.clone());
    format!(
        "askpro retell:clone-agent --from {from} --company-id {} --branch-id {}, then retell:assign-phone the branch's number to the new agent",
        company.id, branch.id
    )
}

pub(super) async fn agent_checks(
    company: &Company,
    branch: &Branch,
    agent: &AgentRecord,
    client: &Client,
    public: &Public,
    scope: &str,
    limit: Duration,
) -> Vec<Check> {
    let id = &agent.retell_agent_id;
    let clone = clone_fix(company, branch, agent);
    let out_of_time = || format!("Retell did not answer within {} s", seconds(limit));
    let published = async {
        let Some(version) = agent.published_version else {
            return Check::fail(
                scope,
                "agent published",
                format!("askpro recorded no published version of {id}"),
                clone.clone(),
            );
        };
        match tokio::time::timeout(limit, client.get_agent(id, Some(version))).await {
            Err(_) => Check::fail(scope, "agent published", out_of_time(), "try again; check Retell's status page"),
            Ok(Err(RetellError::NotFound { .. })) => Check::fail(
                scope,
                "agent published",
                format!("{id} version {version} does not exist in Retell"),
                clone.clone(),
            ),
            Ok(Err(e)) => Check::fail(scope, "agent published", e.to_string(), "try again; check Retell's status page"),
            Ok(Ok(a)) if !a.is_published => Check::fail(
                scope,
                "agent published",
                format!("{id} version {version} is a draft, not published"),
                format!(
                    "askpro retell:update-voice --agent-id {id} --voice-id {} (publishes a version)",
                    agent.voice_id.as_deref().unwrap_or(crate::ops::retell::DEFAULT_VOICE)
                ),
            ),
            Ok(Ok(_)) => Check::pass(scope, "agent published", format!("{id} version {version} is published")),
        }
    };
    let urls = async {
        let Some(public) = public.url.as_deref() else {
            return Check::skip(scope, "agent URLs", "skipped: no usable ASKPRO_PUBLIC_URL");
        };
        let wanted_hook = format!("{public}/retell/webhook");
        let wanted_function = format!("{public}/retell/function");
        let read = async {
            let a = client.get_agent(id, agent.published_version).await?;
            let engine = crate::ops::retell::read_engine(client, agent).await?;
            Ok::<_, Error>((a, engine))
        };
        let (a, engine) = match tokio::time::timeout(limit, read).await {
            Err(_) => return Check::fail(scope, "agent URLs", out_of_time(), "try again; check Retell's status page"),
            Ok(Err(e)) => return Check::error(scope, "agent URLs", &e, &clone),
            Ok(Ok(found)) => found,
        };
        let mut wrong = Vec::new();
        match a.webhook_url.as_deref() {
            Some(url) if url == wanted_hook => {}
            other => wrong.push(format!("webhook → {}", other.unwrap_or("none"))),
        }
        let mut tools = Vec::new();
        custom_tool_urls(&engine, &mut tools);
        let mut elsewhere: Vec<&str> = tools.iter().map(String::as_str).filter(|u| *u != wanted_function).collect();
        elsewhere.sort_unstable();
        elsewhere.dedup();
        if !elsewhere.is_empty() {
            wrong.push(format!("functions → {}", elsewhere.join(", ")));
        }
        if wrong.is_empty() {
            Check::pass(scope, "agent URLs", format!("webhook and {} function(s) point at {public}", tools.len()))
        } else {
            Check::fail(
                scope,
                "agent URLs",
                format!("{id} does not point at ASKPRO_PUBLIC_URL {public}: {}", wrong.join("; ")),
                format!(
                    "askpro retell:clone-agent --from {id} --company-id {} --branch-id {} (a copy wired to ASKPRO_PUBLIC_URL), then retell:assign-phone its number",
                    company.id, branch.id
                ),
            )
        }
    };
    let drift = async {
        match tokio::time::timeout(limit, crate::ops::retell::drift(client, agent)).await {
            Err(_) => Check::fail(scope, "agent drift", out_of_time(), "try again; check Retell's status page"),
            Ok(Err(e)) => Check::error(scope, "agent drift", &e, "try again; check Retell's status page"),
            Ok(Ok(None)) => Check::pass(scope, "agent drift", format!("{id} is as askpro deployed it")),
            Ok(Ok(Some(what))) => Check::fail(scope, "agent drift", format!("{id}: {what}"), clone.clone()),
        }
    };
    let (published, urls, drift) = tokio::join!(published, urls, drift);
    vec![published, urls, drift]
}

/// Every custom tool's URL anywhere in a flow or LLM.
pub(super) fn custom_tool_urls(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if map.get("type").and_then(Value::as_str) == Some("custom") {
                if let Some(url) = map.get("url").and_then(Value::as_str) {
                    out.push(url.to_string());
                }
            }
            map.values().for_each(|v| custom_tool_urls(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| custom_tool_urls(v, out)),
        _ => {}
    }
}

/// The branch's numbers — those registered for its agents, else its own phone — each answered
/// by its agent's published version.
pub(super) async fn phone_checks(
    branch: &Branch,
    agent: &AgentRecord,
    agents: &[AgentRecord],
    numbers: &[crate::store::RegisteredNumber],
    client: &Client,
    scope: &str,
    limit: Duration,
) -> Vec<Check> {
    let mut wanted: Vec<(String, &AgentRecord)> = numbers
        .iter()
        .filter(|n| n.branch_id == branch.id)
        .map(|n| (n.number.clone(), agents.iter().find(|a| Some(a.id) == n.agent_id).unwrap_or(agent)))
        .collect();
    let registered = !wanted.is_empty();
    if let Some(phone) = branch.phone.as_ref().filter(|p| !wanted.iter().any(|(n, _)| n == *p)) {
        wanted.push((phone.clone(), agent));
    }
    if wanted.is_empty() {
        return vec![Check::fail(
            scope,
            "phone",
            format!("'{}' has no phone number: no call reaches its agent", branch.name),
            format!("askpro retell:assign-phone --agent-id {} --phone NUMBER", agent.retell_agent_id),
        )];
    }
    let checks = wanted.into_iter().map(|(number, agent)| async move {
        let assign = format!("askpro retell:assign-phone --agent-id {} --phone {number}", agent.retell_agent_id);
        let own_phone_only = branch.phone.as_deref() == Some(number.as_str()) && registered;
        match tokio::time::timeout(limit, client.get_phone_number(&number)).await {
            Err(_) => {
                Check::fail(scope, "phone", format!("Retell did not answer within {} s", seconds(limit)), "try again")
            }
            Ok(Err(RetellError::NotFound { .. })) if own_phone_only => Check::pass(
                scope,
                "phone",
                format!(
                    "{number} (the branch's own phone) is not a Retell number; calls come in on its registered numbers"
                ),
            ),
            Ok(Err(RetellError::NotFound { .. })) => Check::fail(
                scope,
                "phone",
                format!("{number} is not a number in this Retell account"),
                format!("import {number} in Retell (SIP trunk), then {assign}"),
            ),
            Ok(Err(e)) => Check::fail(scope, "phone", e.to_string(), "try again; check Retell's status page"),
            Ok(Ok(found)) => {
                let inbound = found.inbound_agents.unwrap_or_default();
                let bound = inbound.iter().any(|a| {
                    a["agent_id"].as_str() == Some(agent.retell_agent_id.as_str())
                        && a["agent_version"].as_i64() == agent.published_version
                });
                if bound {
                    Check::pass(
                        scope,
                        "phone",
                        format!(
                            "{number} → {} version {}",
                            agent.retell_agent_id,
                            agent.published_version.unwrap_or_default()
                        ),
                    )
                } else {
                    let now: Vec<String> = inbound
                        .iter()
                        .map(|a| {
                            format!(
                                "{} version {}",
                                a["agent_id"].as_str().unwrap_or("?"),
                                a["agent_version"].as_i64().map_or("latest".into(), |v| v.to_string())
                            )
                        })
                        .collect();
                    Check::fail(
                        scope,
                        "phone",
                        format!(
                            "{number} is answered by {}, not {} version {}",
                            if now.is_empty() { "no agent".to_string() } else { now.join(", ") },
                            agent.retell_agent_id,
                            agent.published_version.map_or("?".into(), |v| v.to_string())
                        ),
                        assign,
                    )
                }
            }
        }
    });
    join_all(checks).await
}
