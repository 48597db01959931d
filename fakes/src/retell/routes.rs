//! The fake's endpoints; each returns `(status, body)`, `Value::Null` for an empty body.

use serde_json::{json, Map, Value};

use super::Model;

pub struct Request {
    pub method: String,
    pub path: String,
    pub query: String,
    pub body: Value,
}

pub fn error(status: u16, message: &str) -> (u16, Value) {
    (status, json!({"status": "error", "message": message}))
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn query<'a>(r: &'a Request, name: &str) -> Option<&'a str> {
    r.query.split('&').find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
}

fn version_of(r: &Request) -> Option<i64> {
    query(r, "version")?.parse().ok()
}

fn object(body: &Value) -> Map<String, Value> {
    body.as_object().cloned().unwrap_or_default()
}

pub fn handle(m: &mut Model, r: &Request) -> (u16, Value) {
    let segments: Vec<&str> = r.path.trim_start_matches('/').splitn(2, '/').collect();
    let (head, id) = (segments[0], segments.get(1).copied().unwrap_or(""));
    match (r.method.as_str(), r.path.as_str()) {
        ("POST", "/create-retell-llm") => create_engine(m, r, "llm_", "llm_id", false),
        ("POST", "/create-conversation-flow") => {
            create_engine(m, r, "conversation_flow_", "conversation_flow_id", true)
        }
        ("GET", "/v2/list-retell-llms") => {
            list(m.llms.values().filter_map(|v| v.last().cloned()).collect(), r, "llm_id")
        }
        ("GET", "/v2/list-conversation-flows") => {
            list(m.flows.values().filter_map(|v| v.last().cloned()).collect(), r, "conversation_flow_id")
        }
        ("POST", "/create-agent") => create_agent(m, r),
        ("POST", "/v2/list-agents") => {
            let q = r.body.pointer("/filter_criteria/query").and_then(Value::as_str).unwrap_or("").to_lowercase();
            let items = m
                .agents
                .values()
                .filter_map(|v| v.last())
                .filter(|a| a["agent_name"].as_str().unwrap_or("").to_lowercase().contains(&q))
                .map(|a| json!({"agent_id": a["agent_id"], "agent_name": a["agent_name"], "channel": "voice"}))
                .collect();
            list(items, r, "agent_id")
        }
        ("GET", "/list-voices") => (200, Value::Array(m.voices.clone())),
        ("POST", "/create-phone-number") => buy_number(m, r),
        ("POST", "/import-phone-number") => import_number(m, r),
        ("POST", "/v2/create-phone-call") => phone_call(m, r),
        _ => match (r.method.as_str(), head) {
            ("GET", "get-retell-llm") => get_versioned(&m.llms, id, version_of(r), "LLM"),
            ("PATCH", "update-retell-llm") => update_engine(&mut m.llms, id, r, "LLM"),
            ("DELETE", "delete-retell-llm") => delete(&mut m.llms, id, "LLM"),
            ("GET", "get-conversation-flow") => get_versioned(&m.flows, id, version_of(r), "Conversation flow"),
            ("PATCH", "update-conversation-flow") => update_engine(&mut m.flows, id, r, "Conversation flow"),
            ("DELETE", "delete-conversation-flow") => delete(&mut m.flows, id, "Conversation flow"),
            ("GET", "get-agent") => get_versioned(&m.agents, id, version_of(r), "Agent"),
            ("PATCH", "update-agent") => update_agent(m, id, r),
            ("POST", "publish-agent-version") => publish(m, id, r),
            ("DELETE", "delete-agent") => delete(&mut m.agents, id, "Agent"),
            ("GET", "get-phone-number") => {
                m.numbers.get(id).map(|n| (200, n.clone())).unwrap_or_else(|| error(404, "Phone number not found"))
            }
            ("PATCH", "update-phone-number") => update_number(m, id, r),
            _ => error(404, "Not Found"),
        },
    }
}

fn next_id(m: &mut Model, prefix: &str) -> String {
    m.next_id += 1;
    format!("{prefix}{:024x}", m.next_id * 0x9e37_79b9)
}

fn create_engine(m: &mut Model, r: &Request, prefix: &str, id_field: &str, flow: bool) -> (u16, Value) {
    let mut body = object(&r.body);
    if flow {
        for required in ["model_choice", "nodes", "start_speaker"] {
            if !body.contains_key(required) {
                return error(400, &format!("{required} is required"));
            }
        }
    }
    let id = next_id(m, prefix);
    body.insert(id_field.into(), json!(id));
    body.insert("version".into(), json!(0));
    body.insert("is_published".into(), json!(false));
    body.insert("last_modification_timestamp".into(), json!(now_ms()));
    let value = Value::Object(body);
    let store = if flow { &mut m.flows } else { &mut m.llms };
    store.insert(id, vec![value.clone()]);
    (201, value)
}

fn get_versioned(
    store: &std::collections::BTreeMap<String, Vec<Value>>,
    id: &str,
    version: Option<i64>,
    what: &str,
) -> (u16, Value) {
    let Some(versions) = store.get(id) else { return error(404, &format!("{what} not found")) };
    let found = match version {
        Some(v) => versions.iter().find(|x| x["version"].as_i64() == Some(v)),
        None => versions.last(),
    };
    found.map(|v| (200, v.clone())).unwrap_or_else(|| error(404, &format!("{what} version not found")))
}

/// Updates the latest version in place when it is a draft, else starts a new draft from it.
fn update_engine(
    store: &mut std::collections::BTreeMap<String, Vec<Value>>,
    id: &str,
    r: &Request,
    what: &str,
) -> (u16, Value) {
    let Some(versions) = store.get_mut(id) else { return error(404, &format!("{what} not found")) };
    let updated = patch_latest(versions, &r.body);
    (200, updated)
}

fn patch_latest(versions: &mut Vec<Value>, patch: &Value) -> Value {
    let latest = versions.last().cloned().unwrap_or_default();
    let mut next = latest.clone();
    if let (Some(o), Some(p)) = (next.as_object_mut(), patch.as_object()) {
        for (k, v) in p {
            o.insert(k.clone(), v.clone());
        }
        o.insert("last_modification_timestamp".into(), json!(now_ms()));
    }
    if latest["is_published"].as_bool() == Some(true) {
        next["version"] = json!(latest["version"].as_i64().unwrap_or(0) + 1);
        next["is_published"] = json!(false);
        versions.push(next.clone());
    } else if let Some(last) = versions.last_mut() {
        *last = next.clone();
    }
    next
}

fn delete(store: &mut std::collections::BTreeMap<String, Vec<Value>>, id: &str, what: &str) -> (u16, Value) {
    match store.remove(id) {
        Some(_) => (204, Value::Null),
        None => error(404, &format!("{what} not found")),
    }
}

/// Checks an agent's `response_engine` and `voice_id` the way the real API does.
fn check_agent(m: &Model, body: &Map<String, Value>, creating: bool) -> Result<(), (u16, Value)> {
    match body.get("response_engine") {
        None if creating => return Err(error(400, "response_engine is required")),
        None => {}
        Some(engine) => {
            let found = match engine["type"].as_str() {
                Some("retell-llm") => engine["llm_id"].as_str().is_some_and(|id| m.llms.contains_key(id)),
                Some("conversation-flow") => {
                    engine["conversation_flow_id"].as_str().is_some_and(|id| m.flows.contains_key(id))
                }
                Some("custom-llm") => engine["llm_websocket_url"].is_string(),
                _ => {
                    return Err(error(400, "response_engine.type must be retell-llm, conversation-flow or custom-llm"))
                }
            };
            if !found {
                return Err(error(404, "response engine not found"));
            }
        }
    }
    match body.get("voice_id").and_then(Value::as_str) {
        None if creating => Err(error(400, "voice_id is required")),
        Some(v) if !m.voices.iter().any(|x| x["voice_id"] == v) => Err(error(404, &format!("voice {v} not found"))),
        _ => Ok(()),
    }
}

fn create_agent(m: &mut Model, r: &Request) -> (u16, Value) {
    let mut body = object(&r.body);
    if let Err(e) = check_agent(m, &body, true) {
        return e;
    }
    let id = next_id(m, "agent_");
    body.insert("agent_id".into(), json!(id));
    body.insert("version".into(), json!(0));
    body.insert("is_published".into(), json!(false));
    body.entry("language").or_insert(json!("en-US"));
    body.insert("last_modification_timestamp".into(), json!(now_ms()));
    let value = Value::Object(body);
    m.agents.insert(id, vec![value.clone()]);
    (201, value)
}

fn update_agent(m: &mut Model, id: &str, r: &Request) -> (u16, Value) {
    if !m.agents.contains_key(id) {
        return error(404, "Agent not found");
    }
    if let Err(e) = check_agent(m, &object(&r.body), false) {
        return e;
    }
    let versions = m.agents.get_mut(id).expect("checked above");
    (200, patch_latest(versions, &r.body))
}

fn publish(m: &mut Model, id: &str, r: &Request) -> (u16, Value) {
    let Some(versions) = m.agents.get_mut(id) else { return error(404, "Agent not found") };
    let Some(version) = r.body["version"].as_i64() else { return error(400, "version is required") };
    match versions.iter_mut().find(|v| v["version"].as_i64() == Some(version)) {
        Some(v) => {
            v["is_published"] = json!(true);
            (200, Value::Null)
        }
        None => error(404, "Agent version not found"),
    }
}

fn list(mut items: Vec<Value>, r: &Request, id_field: &str) -> (u16, Value) {
    items.sort_by(|a, b| a[id_field].as_str().cmp(&b[id_field].as_str()));
    let limit = query(r, "limit").and_then(|l| l.parse::<usize>().ok()).unwrap_or(50).clamp(1, 1000);
    let after = query(r, "pagination_key");
    let start = after.map(|k| items.iter().position(|i| i[id_field] == k).map_or(0, |p| p + 1)).unwrap_or(0);
    let page: Vec<Value> = items.iter().skip(start).take(limit).cloned().collect();
    let has_more = start + page.len() < items.len();
    let key = page.last().map(|i| i[id_field].clone());
    let mut out = json!({"items": page, "has_more": has_more});
    if has_more {
        out["pagination_key"] = key.unwrap_or(Value::Null);
    }
    (200, out)
}

fn check_inbound(m: &Model, agents: &Value) -> Result<(), (u16, Value)> {
    let Some(list) = agents.as_array() else { return Err(error(400, "inbound_agents must be a list")) };
    let mut total = 0.0;
    for a in list {
        let Some(id) = a["agent_id"].as_str() else { return Err(error(400, "inbound_agents[].agent_id is required")) };
        let Some(versions) = m.agents.get(id) else { return Err(error(404, &format!("Agent {id} not found"))) };
        if let Some(v) = a["agent_version"].as_i64() {
            if !versions.iter().any(|x| x["version"].as_i64() == Some(v)) {
                return Err(error(404, &format!("Agent {id} has no version {v}")));
            }
        }
        total += a["weight"].as_f64().unwrap_or(0.0);
    }
    if !list.is_empty() && (total - 1.0).abs() > 1e-6 {
        return Err(error(400, "inbound_agents weights must sum to 1"));
    }
    Ok(())
}

fn store_number(m: &mut Model, number: String, kind: &str, body: &Map<String, Value>) -> (u16, Value) {
    let mut value = json!({"phone_number": number, "phone_number_type": kind, "last_modification_timestamp": now_ms()});
    for field in ["nickname", "inbound_agents", "outbound_agents", "inbound_webhook_url"] {
        if let Some(v) = body.get(field) {
            value[field] = v.clone();
        }
    }
    m.numbers.insert(number, value.clone());
    (201, value)
}

fn buy_number(m: &mut Model, r: &Request) -> (u16, Value) {
    let body = object(&r.body);
    let country = body.get("country_code").and_then(Value::as_str).unwrap_or("US");
    if !matches!(country, "US" | "CA") {
        return error(400, "country_code must be US or CA");
    }
    if let Some(agents) = body.get("inbound_agents") {
        if let Err(e) = check_inbound(m, agents) {
            return e;
        }
    }
    let area = body.get("area_code").and_then(Value::as_i64).unwrap_or(415);
    m.next_id += 1;
    let number = format!("+1{area}555{:04}", m.next_id % 10_000);
    store_number(m, number, "retell-twilio", &body)
}

fn import_number(m: &mut Model, r: &Request) -> (u16, Value) {
    let body = object(&r.body);
    let (Some(number), Some(_)) = (body.get("phone_number").and_then(Value::as_str), body.get("termination_uri"))
    else {
        return error(400, "phone_number and termination_uri are required");
    };
    store_number(m, number.to_string(), "custom", &body)
}

fn update_number(m: &mut Model, id: &str, r: &Request) -> (u16, Value) {
    if !m.numbers.contains_key(id) {
        return error(404, "Phone number not found");
    }
    if let Some(agents) = r.body.get("inbound_agents") {
        if let Err(e) = check_inbound(m, agents) {
            return e;
        }
    }
    let number = m.numbers.get_mut(id).expect("checked above");
    if let (Some(o), Some(p)) = (number.as_object_mut(), r.body.as_object()) {
        for (k, v) in p {
            o.insert(k.clone(), v.clone());
        }
    }
    (200, number.clone())
}

fn phone_call(m: &mut Model, r: &Request) -> (u16, Value) {
    let (Some(from), Some(to)) = (r.body["from_number"].as_str(), r.body["to_number"].as_str()) else {
        return error(400, "from_number and to_number are required");
    };
    if !m.numbers.contains_key(from) {
        return error(404, &format!("Phone number {from} not found"));
    }
    if let Some(agent) = r.body["override_agent_id"].as_str() {
        if !m.agents.contains_key(agent) {
            return error(404, &format!("Agent {agent} not found"));
        }
    }
    let id = next_id(m, "call_");
    let call = json!({"call_id": id, "call_type": "phone_call", "call_status": "registered", "direction": "outbound",
        "from_number": from, "to_number": to, "agent_id": r.body["override_agent_id"]});
    m.calls.push(call.clone());
    (201, call)
}
