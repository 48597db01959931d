//! Retell provisioning: `retell:clone-agent` builds a branch's voice agent from one of
//! askpro's templates (`templates/agents/`), from an existing agent, or from a flow exported
//! from Retell's dashboard; every custom tool and the agent's webhook point at this daemon
//! (`ASKPRO_PUBLIC_URL`), and the agent is published and recorded for the branch.
//!
//! Creates are never retried blindly (Retell takes no idempotency key): a create whose outcome
//! is unknown is looked up — an engine by the `askpro_ref` it carries in its default dynamic
//! variables, an agent by its name — and an engine whose agent could not be created is deleted
//! again, so no orphan is left behind.

use std::path::Path;

use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::app::App;
use crate::clients::retell::{Agent, Client, ClientConfig, Engine, RetellError};
use crate::domain::say;
use crate::domain::{BusinessHours, Weekday};
use crate::error::{Error, Result};
use crate::store::{AgentRecord, Branch, Company, NewAgent, SecretField};

/// askpro's own agent templates: `(name, file)`.
const TEMPLATES: [(&str, &str); 2] = [
    ("booking-de", include_str!("../../templates/agents/booking-de.flow.json")),
    ("booking-de-llm", include_str!("../../templates/agents/booking-de.llm.json")),
];

/// The voice an agent gets unless told otherwise.
pub const DEFAULT_VOICE: &str = "11labs-Carola";
/// The call events the agent's webhook receives.
const WEBHOOK_EVENTS: [&str; 3] = ["call_started", "call_ended", "call_analyzed"];

/// Where the agent's conversation comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// One of the built-in templates (`TEMPLATES`).
    Template(String),
    /// An agent already in Retell: its flow or LLM is copied.
    Agent(String),
    /// A conversation flow exported from Retell's dashboard.
    FlowFile(std::path::PathBuf),
}

impl Source {
    /// A template name, an agent id (`agent_…`), or a path to a `.json` file.
    pub fn parse(from: &str) -> Result<Source> {
        if TEMPLATES.iter().any(|(name, _)| *name == from) {
            Ok(Source::Template(from.to_string()))
        } else if from.starts_with("agent_") {
            Ok(Source::Agent(from.to_string()))
        } else if from.ends_with(".json") || Path::new(from).exists() {
            Ok(Source::FlowFile(from.into()))
        } else {
            Err(Error::invalid(format!("--from '{from}' is not a template, an agent id or a flow file"))
                .with_help(format!("templates: {}; agent ids start with agent_", template_names().join(", "))))
        }
    }
}

pub fn template_names() -> Vec<&'static str> {
    TEMPLATES.iter().map(|(name, _)| *name).collect()
}

/// What `retell:clone-agent` is asked for.
#[derive(Debug, Clone)]
pub struct CloneRequest {
    pub source: Source,
    pub company_id: i64,
    pub branch_id: i64,
    pub name: Option<String>,
    pub voice_id: Option<String>,
    pub language: String,
    pub dry_run: bool,
}

/// A request clone-agent sends (or, with `--dry-run`, would send).
#[derive(Debug, Clone, Serialize)]
pub struct PlannedRequest {
    pub method: &'static str,
    pub path: String,
    pub body: Value,
}

/// What clone-agent did.
#[derive(Debug, Serialize)]
pub struct Cloned {
    pub agent_id: Option<String>,
    /// `conversation-flow` or `retell-llm`.
    pub engine: Engine,
    pub engine_id: Option<String>,
    pub published_version: Option<i64>,
    pub template: Option<String>,
    pub template_version: Option<String>,
    /// With `--dry-run`: every request, in order, with placeholders for ids not yet known.
    pub requests: Vec<PlannedRequest>,
}

/// The Retell client for a company: its own key, else the platform key (`RETELL_API_KEY`).
pub async fn client(app: &App, company: &Company) -> Result<Client> {
    let own = match company.retell_api_key {
        Some(_) => app.company_secret(company.id, SecretField::RetellApiKey).await?,
        None => None,
    };
    let key = own.or_else(|| app.settings.retell_api_key.clone()).ok_or_else(|| {
        Error::unset("no Retell API key").with_help(format!(
            "set RETELL_API_KEY, or the company's own with `askpro company:config --company-id {} --retell-api-key key_…`",
            company.id
        ))
    })?;
    Client::new(key, ClientConfig { base_url: app.settings.retell_base_url.clone(), ..ClientConfig::default() })
}

fn public_url(app: &App) -> Result<String> {
    let url = app.settings.public_url.clone().ok_or_else(|| {
        Error::unset("ASKPRO_PUBLIC_URL is not set").with_help(
            "set it to the address Retell reaches askpro-daemon at, e.g. export ASKPRO_PUBLIC_URL=https://askpro.example.com",
        )
    })?;
    match url.starts_with("https://") || url.starts_with("http://") {
        true => Ok(url.trim_end_matches('/').to_string()),
        false => Err(Error::config(format!("ASKPRO_PUBLIC_URL '{url}' is not an http(s) URL"))),
    }
}

/// The conversation to deploy: `(engine, body without ids, template, template version)`.
async fn conversation(
    source: &Source,
    retell: Option<&Client>,
) -> Result<(Engine, Map<String, Value>, Option<String>, Option<String>)> {
    match source {
        Source::Template(name) => {
            let text = TEMPLATES.iter().find(|(n, _)| n == name).map(|(_, t)| *t).unwrap_or_default();
            let mut body: Map<String, Value> = serde_json::from_str(text)
                .map_err(|e| Error::internal(format!("template {name} is not valid JSON")).with_source(e))?;
            let meta = body.shift_remove("askpro").unwrap_or_default();
            let engine = meta["engine"].as_str().and_then(Engine::parse).unwrap_or(Engine::ConversationFlow);
            let version = meta["version"].as_i64().map(|v| v.to_string());
            Ok((engine, body, Some(name.clone()), version))
        }
        Source::FlowFile(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                Error::invalid(format!("cannot read {}", path.display()))
                    .with_help("give the path of a flow exported from Retell")
                    .with_source(e)
            })?;
            let value: Value = serde_json::from_str(&text)
                .map_err(|e| Error::invalid(format!("{} is not JSON: {e}", path.display())))?;
            let body = value.get("conversation_flow").cloned().unwrap_or(value);
            let Value::Object(body) = body else {
                return Err(Error::invalid(format!("{} does not hold a conversation flow object", path.display())));
            };
            if !body.contains_key("nodes") {
                return Err(Error::invalid(format!("{} has no nodes: it is not a conversation flow", path.display())));
            }
            Ok((Engine::ConversationFlow, strip_ids(body), None, None))
        }
        Source::Agent(agent_id) => {
            let retell = retell.ok_or_else(|| Error::unset("no Retell client"))?;
            let agent = retell.get_agent(agent_id, None).await?;
            let (engine, id) = agent.engine().ok_or_else(|| {
                Error::invalid(format!("agent {agent_id} has no Retell LLM or conversation flow to copy"))
            })?;
            let Value::Object(body) = retell.get_engine(engine, &id, None).await? else {
                return Err(Error::upstream("Retell sent an engine that is not an object"));
            };
            Ok((engine, strip_ids(body), None, None))
        }
    }
}

/// Drops what Retell assigns (ids, versions, timestamps) from a copied engine.
fn strip_ids(mut body: Map<String, Value>) -> Map<String, Value> {
    for key in ASSIGNED {
        body.shift_remove(key);
    }
    body
}

/// Fills askpro's placeholders (others are Retell's dynamic variables and stay).
fn fill(value: &mut Value, vars: &[(&str, String)]) {
    match value {
        Value::String(s) => {
            for (name, with) in vars {
                let placeholder = format!("{{{{{name}}}}}");
                if s.contains(&placeholder) {
                    *s = s.replace(&placeholder, with);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| fill(v, vars)),
        Value::Object(map) => map.values_mut().for_each(|v| fill(v, vars)),
        _ => {}
    }
}

/// Points every custom tool at this daemon; a template gets exactly askpro's tools.
fn wire_tools(engine: Engine, body: &mut Map<String, Value>, public: &str, template: bool) -> usize {
    let url = format!("{public}/retell/function");
    let flow = engine == Engine::ConversationFlow;
    let field = if flow { "tools" } else { "general_tools" };
    if template {
        body.insert(field.into(), Value::Array(crate::templates::tools::definitions(public, flow)));
    }
    let mut wired = 0;
    let mut rewire = |tools: &mut Value| {
        for tool in tools.as_array_mut().into_iter().flatten() {
            if tool["type"] == "custom" {
                tool["url"] = json!(url);
                wired += 1;
            }
        }
    };
    if let Some(tools) = body.get_mut(field) {
        rewire(tools);
    }
    if let Some(states) = body.get_mut("states").and_then(Value::as_array_mut) {
        for state in states {
            if let Some(tools) = state.get_mut("tools") {
                rewire(tools);
            }
        }
    }
    wired
}

/// A branch's week of opening hours as the agent says them (`Mo 09:00–18:00, …, So geschlossen`).
fn opening_hours(branch: &Branch) -> Result<String> {
    let hours = BusinessHours::parse_json(&branch.business_hours)?;
    const DAYS: [&str; 7] = ["Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"];
    let days = (0..7u8).map(|d| format!("{} {}", DAYS[d as usize], say::hours_on(&hours, Weekday(d))));
    Ok(days.collect::<Vec<_>>().join(", "))
}

pub async fn clone_agent(app: &App, req: CloneRequest) -> Result<Cloned> {
    let public = public_url(app)?;
    let company = super::company::get(app, req.company_id).await?;
    let branch = super::branch::get_in_company(app, company.id, req.branch_id).await?;
    let retell = client(app, &company).await?;
    let from_retell = matches!(req.source, Source::Agent(_)).then_some(&retell);
    let (engine, mut body, template, template_version) = conversation(&req.source, from_retell).await?;
    let greeting = format!("{}, {}, guten Tag! Was kann ich für Sie tun?", company.name, branch.name);
    let vars = [
        ("company_name", company.name.clone()),
        ("branch_name", branch.name.clone()),
        ("greeting", greeting),
        ("opening_hours", opening_hours(&branch)?),
        ("ASKPRO_PUBLIC_URL", public.clone()),
    ];
    let mut filled = Value::Object(std::mem::take(&mut body));
    fill(&mut filled, &vars);
    let mut body = match filled {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    let tools = wire_tools(engine, &mut body, &public, template.is_some());
    if tools == 0 {
        tracing::warn!("the conversation has no custom tools: the agent will not reach askpro's functions");
    }
    // A reference that finds the engine again if its create's answer is lost.
    let reference = format!("askpro-{}-{}-{}", company.id, branch.id, crate::store::now_ms());
    let defaults = body.entry("default_dynamic_variables").or_insert_with(|| json!({}));
    if let Some(d) = defaults.as_object_mut() {
        d.insert("askpro_ref".into(), json!(reference));
    }
    let body = Value::Object(body);
    let name = req.name.clone().unwrap_or_else(|| format!("askpro · {} · {}", company.name, branch.name));
    let voice = req.voice_id.clone().unwrap_or_else(|| DEFAULT_VOICE.to_string());
    let agent_body = |engine_id: &str| {
        json!({
            "response_engine": engine.response_engine(engine_id),
            "voice_id": voice,
            "agent_name": name,
            "language": req.language,
            "webhook_url": format!("{public}/retell/webhook"),
            "webhook_events": WEBHOOK_EVENTS,
            "timezone": branch.timezone,
        })
    };
    if req.dry_run {
        let requests = vec![
            PlannedRequest { method: "POST", path: format!("/create-{engine}"), body: body.clone() },
            PlannedRequest { method: "POST", path: "/create-agent".into(), body: agent_body("<engine id>") },
            PlannedRequest {
                method: "POST",
                path: "/publish-agent-version/<agent id>".into(),
                body: json!({"version": "<the new agent's version>"}),
            },
        ];
        return Ok(Cloned {
            agent_id: None,
            engine,
            engine_id: None,
            published_version: None,
            template,
            template_version,
            requests,
        });
    }
    let engine_id = create_engine(&retell, engine, &body, &reference).await?;
    let agent = match create_agent(&retell, &agent_body(&engine_id), &name).await {
        Ok(agent) => agent,
        Err(e) => {
            // No orphan: the engine goes again when its agent could not be made.
            if let Err(cleanup) = retell.delete_engine(engine, &engine_id).await {
                tracing::warn!(engine_id, error = %cleanup, "could not delete the engine of the agent that failed");
            }
            return Err(e);
        }
    };
    retell.publish_agent_version(&agent.agent_id, agent.version).await?;
    // What Retell holds now (with the defaults it adds) is what drift is measured against.
    let deployed_hash = engine_hash(&retell.get_engine(engine, &engine_id, None).await?);
    let record = app
        .store
        .insert_agent(
            company.id,
            &NewAgent {
                branch_id: branch.id,
                retell_agent_id: agent.agent_id.clone(),
                engine: engine.to_string(),
                engine_id: engine_id.clone(),
                template: template.clone(),
                template_version: template_version.clone(),
                published_version: Some(agent.version),
                deployed_hash: Some(deployed_hash),
                voice_id: Some(voice),
                language: req.language.clone(),
            },
        )
        .await?;
    Ok(Cloned {
        agent_id: Some(record.retell_agent_id),
        engine,
        engine_id: Some(engine_id),
        published_version: record.published_version,
        template,
        template_version,
        requests: Vec::new(),
    })
}

/// Creates the flow or LLM; a create whose answer was lost is found by its reference.
async fn create_engine(retell: &Client, engine: Engine, body: &Value, reference: &str) -> Result<String> {
    let created = match retell.create_engine(engine, body).await {
        Ok(v) => v,
        Err(e) if e.is_ambiguous() => retell
            .list_engines(engine)
            .await?
            .into_iter()
            .find(|v| v.pointer("/default_dynamic_variables/askpro_ref").and_then(Value::as_str) == Some(reference))
            .ok_or(Error::from(e))?,
        Err(e) => return Err(e.into()),
    };
    let field = engine.id_field();
    created[field]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| Error::upstream(format!("Retell answered without {field}")))
}

/// Creates the agent; a create whose answer was lost is found by its (unique) name.
async fn create_agent(retell: &Client, body: &Value, name: &str) -> Result<Agent> {
    match retell.create_agent(body).await {
        Ok(agent) => Ok(agent),
        Err(e) if e.is_ambiguous() => {
            let found = retell.list_agents(Some(name)).await?;
            let id = found
                .iter()
                .find(|a| a["agent_name"].as_str() == Some(name))
                .and_then(|a| a["agent_id"].as_str())
                .ok_or(Error::from(e))?;
            Ok(retell.get_agent(id, None).await?)
        }
        Err(RetellError::NotFound { message, .. }) => {
            Err(Error::not_found(format!("Retell refused the agent: {message}"))
                .with_help("check --voice-id (see Retell's voice list)"))
        }
        Err(e) => Err(e.into()),
    }
}

/// An agent askpro deployed, or a clear error.
pub async fn recorded_agent(app: &App, retell_agent_id: &str) -> Result<AgentRecord> {
    app.store.agent_by_retell_id(retell_agent_id).await?.ok_or_else(|| {
        Error::not_found(format!("askpro has no agent '{retell_agent_id}'"))
            .with_help("clone one with `askpro retell:clone-agent --from booking-de --company-id … --branch-id …`")
    })
}

/// The engine fields Retell assigns, left out when comparing what is deployed.
const ASSIGNED: [&str; 5] =
    ["conversation_flow_id", "llm_id", "version", "is_published", "last_modification_timestamp"];

/// A hash of an engine as Retell holds it: what Retell assigns (ids, versions, timestamps) left
/// out, key order ignored.
pub fn engine_hash(engine: &Value) -> String {
    let mut body = engine.as_object().cloned().unwrap_or_default();
    for key in ASSIGNED {
        body.remove(key);
    }
    crate::domain::canonical::hash(&body)
}

/// The kind of engine askpro recorded for an agent.
fn engine_of(record: &AgentRecord) -> Result<Engine> {
    Engine::parse(&record.engine)
        .ok_or_else(|| Error::internal(format!("agent {} has engine '{}'", record.id, record.engine)))
}

pub(crate) async fn read_engine(retell: &Client, record: &AgentRecord) -> Result<Value> {
    Ok(retell.get_engine(engine_of(record)?, &record.engine_id, None).await?)
}

async fn write_engine(retell: &Client, record: &AgentRecord, body: &Value) -> Result<Value> {
    Ok(retell.update_engine(engine_of(record)?, &record.engine_id, body).await?)
}

/// A recorded agent, its company and its Retell client.
async fn managed(app: &App, retell_agent_id: &str) -> Result<(AgentRecord, Company, Client)> {
    let record = recorded_agent(app, retell_agent_id).await?;
    let company = super::company::get(app, record.company_id).await?;
    let retell = client(app, &company).await?;
    Ok((record, company, retell))
}

/// What an update did (or, with `--dry-run`, would send).
#[derive(Debug, Serialize)]
pub struct Updated {
    pub agent_id: String,
    pub published_version: i64,
    /// Which texts changed (`update-prompts`), or which fields.
    pub changed: Vec<String>,
    /// With `--dry-run`: the requests that would be sent.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub requests: Vec<PlannedRequest>,
}

/// Writes `engine_patch` (if any) to the agent's flow or LLM, then publishes a new agent
/// version with `agent_patch`; with `dry_run`, only says which requests that takes.
async fn apply_change(
    app: &App,
    retell: &Client,
    record: &AgentRecord,
    engine_patch: Option<Value>,
    agent_patch: Value,
    changed: Vec<String>,
    dry_run: bool,
) -> Result<Updated> {
    if dry_run {
        let engine_path = engine_of(record)?.update_path(&record.engine_id);
        let agent = &record.retell_agent_id;
        let mut agent_body = agent_patch;
        agent_body["response_engine"] = json!({"version": "<the engine's version after the update>"});
        let mut requests: Vec<PlannedRequest> =
            engine_patch.map(|body| PlannedRequest { method: "PATCH", path: engine_path, body }).into_iter().collect();
        requests.push(PlannedRequest { method: "PATCH", path: format!("/update-agent/{agent}"), body: agent_body });
        requests.push(PlannedRequest {
            method: "POST",
            path: format!("/publish-agent-version/{agent}"),
            body: json!({"version": "<the new draft's version>"}),
        });
        return Ok(Updated {
            agent_id: agent.clone(),
            published_version: record.published_version.unwrap_or_default(),
            changed,
            requests,
        });
    }
    if let Some(patch) = engine_patch {
        write_engine(retell, record, &patch).await?;
    }
    publish_change(app, retell, record, agent_patch, changed).await
}

/// Makes a new agent version carrying `agent_patch` (and the engine's current version), publishes
/// it, and records what is deployed now.
async fn publish_change(
    app: &App,
    retell: &Client,
    record: &AgentRecord,
    mut agent_patch: Value,
    changed: Vec<String>,
) -> Result<Updated> {
    let engine = read_engine(retell, record).await?;
    if let (Some(patch), Some(version)) = (agent_patch.as_object_mut(), engine["version"].as_i64()) {
        let mut response_engine = retell.get_agent(&record.retell_agent_id, None).await?.response_engine;
        response_engine["version"] = json!(version);
        patch.entry("response_engine").or_insert(response_engine);
    }
    let draft = retell.update_agent(&record.retell_agent_id, &agent_patch).await?;
    retell.publish_agent_version(&draft.agent_id, draft.version).await?;
    app.store
        .update_agent_record(
            record.company_id,
            record.id,
            draft.version,
            &engine_hash(&engine),
            agent_patch["voice_id"].as_str(),
            agent_patch["language"].as_str(),
        )
        .await?;
    Ok(Updated { agent_id: draft.agent_id, published_version: draft.version, changed, requests: Vec::new() })
}

/// `retell:update-greeting`: the agent's first sentence, in a new published version.
pub async fn update_greeting(app: &App, retell_agent_id: &str, greeting: &str, dry_run: bool) -> Result<Updated> {
    let greeting = greeting.trim();
    if greeting.is_empty() {
        return Err(Error::invalid("--greeting is empty").with_help("give the sentence the agent opens the call with"));
    }
    let (record, _, retell) = managed(app, retell_agent_id).await?;
    let mut engine = read_engine(&retell, &record).await?;
    let patch = match engine_of(&record)? {
        Engine::ConversationFlow => {
            let start = engine["start_node_id"].as_str().unwrap_or_default().to_string();
            let nodes = engine["nodes"].as_array_mut().ok_or_else(|| Error::upstream("the flow has no nodes"))?;
            let node = nodes
                .iter_mut()
                .find(|n| n["id"] == start.as_str())
                .ok_or_else(|| Error::invalid("the flow's start node is missing; edit the greeting in Retell"))?;
            node["instruction"] = json!({"type": "static_text", "text": greeting});
            json!({"nodes": engine["nodes"]})
        }
        Engine::RetellLlm => json!({"begin_message": greeting}),
    };
    apply_change(app, &retell, &record, Some(patch), json!({}), vec!["greeting".into()], dry_run).await
}

/// `retell:update-voice`: another voice (and language), in a new published version.
pub async fn update_voice(
    app: &App,
    retell_agent_id: &str,
    voice_id: &str,
    language: Option<&str>,
    dry_run: bool,
) -> Result<Updated> {
    let (record, _, retell) = managed(app, retell_agent_id).await?;
    let mut patch = json!({"voice_id": voice_id});
    let mut changed = vec!["voice".to_string()];
    if let Some(language) = language {
        patch["language"] = json!(language);
        changed.push("language".into());
    }
    apply_change(app, &retell, &record, None, patch, changed, dry_run).await
}

/// `retell:update-prompts`: each `old` text replaced by `new` in the prompts (a flow's global
/// prompt and node instructions, an LLM's prompts and states), in a new published version.
/// An `old` found nowhere is an error and nothing changes.
pub async fn update_prompts(
    app: &App,
    retell_agent_id: &str,
    replace: &[(String, String)],
    dry_run: bool,
) -> Result<Updated> {
    let (record, _, retell) = managed(app, retell_agent_id).await?;
    let engine = read_engine(&retell, &record).await?;
    let fields: &[&str] = match engine_of(&record)? {
        Engine::ConversationFlow => &["global_prompt", "nodes"],
        Engine::RetellLlm => &["general_prompt", "begin_message", "states"],
    };
    let mut patch = Map::new();
    let mut changed = Vec::new();
    for (old, new) in replace {
        let mut found = false;
        for field in fields {
            let mut value = patch.get(*field).cloned().unwrap_or_else(|| engine[*field].clone());
            if replace_text(&mut value, old, new) {
                found = true;
                patch.insert(field.to_string(), value);
            }
        }
        if !found {
            return Err(Error::invalid(format!(
                "'{}' appears in none of the agent's prompts",
                crate::domain::shown(old)
            ))
            .with_help("check the exact wording (case and spaces count)"));
        }
        changed.push(format!("{old} → {new}"));
    }
    apply_change(app, &retell, &record, Some(Value::Object(patch)), json!({}), changed, dry_run).await
}

/// Replaces `old` by `new` in every prompt text under `value`; whether anything changed.
fn replace_text(value: &mut Value, old: &str, new: &str) -> bool {
    match value {
        Value::String(s) if s.contains(old) => {
            *s = s.replace(old, new);
            true
        }
        Value::Array(items) => items.iter_mut().fold(false, |any, v| replace_text(v, old, new) | any),
        Value::Object(map) => map
            .iter_mut()
            .filter(|(k, _)| matches!(k.as_str(), "instruction" | "text" | "state_prompt" | "prompt"))
            .fold(false, |any, (_, v)| replace_text(v, old, new) | any),
        _ => false,
    }
}

/// What `retell:assign-phone` / `retell:buy-phone` did.
#[derive(Debug, Serialize)]
pub struct Assigned {
    pub phone_number: String,
    pub agent_id: String,
    pub agent_version: i64,
    pub branch_id: i64,
    /// With `--dry-run`: the request that would be sent.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub requests: Vec<PlannedRequest>,
}

fn inbound(record: &AgentRecord) -> Result<Value> {
    let version = record.published_version.ok_or_else(|| {
        Error::invalid(format!("agent {} has no published version", record.retell_agent_id))
            .with_help("publish it first (retell:update-voice or retell:clone-agent publish a version)")
    })?;
    // The published version, pinned: never the draft ("latest").
    Ok(json!([{"agent_id": record.retell_agent_id, "weight": 1.0, "agent_version": version}]))
}

fn planned(record: &AgentRecord, number: &str, request: PlannedRequest) -> Assigned {
    Assigned {
        phone_number: number.to_string(),
        agent_id: record.retell_agent_id.clone(),
        agent_version: record.published_version.unwrap_or_default(),
        branch_id: record.branch_id,
        requests: vec![request],
    }
}

/// `retell:assign-phone`: a number already in Retell (imported or bought) answered by the
/// agent's published version, and recorded for the agent's branch.
pub async fn assign_phone(app: &App, retell_agent_id: &str, phone: &str, dry_run: bool) -> Result<Assigned> {
    let (record, company, retell) = managed(app, retell_agent_id).await?;
    let number = crate::domain::E164::parse(phone, company.country.parse()?)?;
    let branch = super::branch::get_in_company(app, company.id, record.branch_id).await?;
    super::branch::ensure_phone_free(app, number.as_str(), Some(&branch)).await?;
    let public = public_url(app)?;
    let body = json!({"inbound_agents": inbound(&record)?, "inbound_webhook_url": format!("{public}/retell/inbound")});
    if dry_run {
        let path = format!("/update-phone-number/{number}");
        return Ok(planned(&record, number.as_str(), PlannedRequest { method: "PATCH", path, body }));
    }
    // A number new to askpro is recorded for this agent before Retell is asked, so that of two
    // runs at once for two companies only one binds it in Retell (the other is refused here).
    // One the company already has moves between its own agents, which no other company can take.
    // Another company may have recorded it since the check above: then it is not this company's
    // to move, and recording it here is refused before Retell is asked.
    let holders = app.store.phone_holders(number.as_str()).await?;
    let new = !holders.iter().any(|h| h.registered && h.company_id == company.id);
    if new {
        if let Err(e) = app.store.upsert_phone_number(company.id, &record, number.as_str(), None).await {
            super::branch::ensure_phone_free(app, number.as_str(), Some(&branch)).await?;
            return Err(e);
        }
    }
    let bound = match retell.update_phone_number(number.as_str(), &body).await {
        Ok(bound) => bound,
        Err(e) => {
            if new {
                app.store.release_phone_number(company.id, record.id, number.as_str()).await?;
            }
            return Err(match e {
                RetellError::NotFound { .. } => Error::not_found(format!(
                    "{number} is not a number in this Retell account"
                ))
                .with_help(
                    "import it over your SIP trunk in Retell first (German numbers), or buy one with retell:buy-phone",
                ),
                other => other.into(),
            });
        }
    };
    app.store.upsert_phone_number(company.id, &record, &bound.phone_number, bound.phone_number_type.as_deref()).await?;
    Ok(Assigned {
        phone_number: bound.phone_number,
        agent_id: record.retell_agent_id.clone(),
        agent_version: record.published_version.unwrap_or_default(),
        branch_id: record.branch_id,
        requests: Vec::new(),
    })
}

/// `retell:buy-phone`: a new number from Retell (US or CA only), answered by the agent.
pub async fn buy_phone(
    app: &App,
    retell_agent_id: &str,
    country: &str,
    area_code: u16,
    dry_run: bool,
) -> Result<Assigned> {
    let country = country.trim().to_ascii_uppercase();
    if !matches!(country.as_str(), "US" | "CA") {
        return Err(Error::invalid(format!("Retell sells numbers in the US and Canada only, not in {country}"))
            .with_help("import a German number over a SIP trunk in Retell, then run retell:assign-phone"));
    }
    let (record, company, retell) = managed(app, retell_agent_id).await?;
    let public = public_url(app)?;
    let body = json!({"country_code": country, "area_code": area_code, "inbound_agents": inbound(&record)?,
        "inbound_webhook_url": format!("{public}/retell/inbound"), "nickname": format!("askpro {}", record.retell_agent_id)});
    if dry_run {
        let request = PlannedRequest { method: "POST", path: "/create-phone-number".into(), body };
        return Ok(planned(&record, "<the number Retell assigns>", request));
    }
    let bought = retell.create_phone_number(&body).await?;
    app.store
        .upsert_phone_number(company.id, &record, &bought.phone_number, bought.phone_number_type.as_deref())
        .await?;
    Ok(Assigned {
        phone_number: bought.phone_number,
        agent_id: record.retell_agent_id.clone(),
        agent_version: record.published_version.unwrap_or_default(),
        branch_id: record.branch_id,
        requests: Vec::new(),
    })
}

/// `retell:test-call`: a call placed through Retell with the agent.
pub async fn test_call(
    app: &App,
    retell_agent_id: &str,
    from: &str,
    to: &str,
    scenario: Option<&str>,
    dry_run: bool,
) -> Result<Value> {
    let (record, company, retell) = managed(app, retell_agent_id).await?;
    let region = company.country.parse()?;
    let (from, to) = (crate::domain::E164::parse(from, region)?, crate::domain::E164::parse(to, region)?);
    let mut body = json!({"from_number": from.as_str(), "to_number": to.as_str(),
        "override_agent_id": record.retell_agent_id, "metadata": {"askpro_test_call": true}});
    if let Some(s) = scenario {
        body["retell_llm_dynamic_variables"] = json!({"test_scenario": s});
    }
    if dry_run {
        return Ok(json!([PlannedRequest { method: "POST", path: "/v2/create-phone-call".into(), body }]));
    }
    retell.create_phone_call(&body).await.map_err(|e| match e {
        RetellError::NotFound { message, .. } => Error::not_found(format!("Retell cannot call from {from}: {message}"))
            .with_help("--from must be a number in this Retell account (see retell:assign-phone)"),
        other => other.into(),
    })
}

/// One line of `retell:agents`.
#[derive(Debug, Serialize)]
pub struct AgentStatus {
    pub agent_id: String,
    pub company_id: i64,
    pub branch_id: i64,
    pub engine: String,
    pub template: Option<String>,
    pub template_version: Option<String>,
    pub published_version: Option<i64>,
    /// `None` when Retell holds what askpro deployed; else what differs.
    pub drift: Option<String>,
}

/// Whether Retell still holds what askpro last deployed for the agent: `None` when it does,
/// else what differs (the agent or its engine gone or replaced, the engine edited).
pub async fn drift(retell: &Client, record: &AgentRecord) -> Result<Option<String>> {
    Ok(match retell.get_agent(&record.retell_agent_id, None).await {
        Err(RetellError::NotFound { .. }) => Some("the agent no longer exists in Retell".to_string()),
        Err(e) => return Err(e.into()),
        Ok(agent) => match agent.engine() {
            Some((_, id)) if id != record.engine_id => {
                Some(format!("the agent now uses {id}, not {}", record.engine_id))
            }
            None => Some("the agent has no flow or LLM".into()),
            Some(_) => match read_engine(retell, record).await {
                Err(e) if e.kind() == crate::error::ErrorKind::NotFound => {
                    Some(format!("{} was deleted", record.engine_id))
                }
                Err(e) => return Err(e),
                Ok(engine) if Some(engine_hash(&engine)) != record.deployed_hash => {
                    Some(format!("{} was edited outside askpro", record.engine_id))
                }
                Ok(_) => None,
            },
        },
    })
}

/// `retell:agents`: every agent askpro manages, and whether Retell still holds what askpro last
/// deployed (someone may have edited the flow or LLM in the dashboard).
pub async fn agents(app: &App, company_id: Option<i64>) -> Result<Vec<AgentStatus>> {
    if let Some(id) = company_id {
        super::company::get(app, id).await?;
    }
    let mut out = Vec::new();
    for record in app.store.agents(company_id).await? {
        let company = super::company::get(app, record.company_id).await?;
        let retell = client(app, &company).await?;
        let drift = drift(&retell, &record).await?;
        out.push(AgentStatus {
            agent_id: record.retell_agent_id,
            company_id: record.company_id,
            branch_id: record.branch_id,
            engine: record.engine,
            template: record.template,
            template_version: record.template_version,
            published_version: record.published_version,
            drift,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every template parses, names its engine and version, and a flow's function nodes only
    /// use tools the flow gets; every edge leads to a node that exists.
    #[test]
    fn templates_are_consistent() {
        for (name, text) in TEMPLATES {
            let template: Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("{name}: {e}"));
            let engine = template["askpro"]["engine"].as_str().unwrap();
            assert!(template["askpro"]["version"].as_i64().is_some(), "{name}");
            let tools = crate::templates::tools::definitions("https://x", engine == "conversation-flow");
            let tool_ids: Vec<&str> = tools.iter().filter_map(|t| t["tool_id"].as_str()).collect();
            let nodes = template["nodes"].as_array().cloned().unwrap_or_default();
            let ids: Vec<&str> = nodes.iter().filter_map(|n| n["id"].as_str()).collect();
            if engine == "conversation-flow" {
                assert!(ids.contains(&template["start_node_id"].as_str().unwrap()), "{name}: start node");
            }
            for node in &nodes {
                if node["type"] == "function" {
                    assert!(tool_ids.contains(&node["tool_id"].as_str().unwrap()), "{name}: {node}");
                }
                for edge in node["edges"].as_array().into_iter().flatten() {
                    assert!(ids.contains(&edge["destination_node_id"].as_str().unwrap()), "{name}: {edge}");
                }
            }
        }
    }

    #[test]
    fn engine_hash_ignores_what_retell_assigns() {
        let deployed = json!({"global_prompt": "A", "nodes": [], "version": 0, "conversation_flow_id": "cf_1"});
        let later = json!({"nodes": [], "global_prompt": "A", "version": 3, "last_modification_timestamp": 9});
        assert_eq!(engine_hash(&deployed), engine_hash(&later));
        assert_ne!(engine_hash(&deployed), engine_hash(&json!({"global_prompt": "B", "nodes": []})));
    }
}

#[cfg(test)]
mod template_tests {
    #[test]
    fn presets_name_the_templates_there_are() {
        let mut names = super::template_names();
        names.sort_unstable();
        let mut allowed = crate::templates::AGENT_TEMPLATES.to_vec();
        allowed.sort_unstable();
        assert_eq!(names, allowed);
    }
}
