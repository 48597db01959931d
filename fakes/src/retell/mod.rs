//! A stateful Retell API fake on a loopback port, for tests. It follows
//! Retell's documented API: Bearer keys (401 otherwise), Retell's error body
//! `{"status": "error", "message": …}`, agents with draft and published versions, Retell LLMs
//! and conversation flows with versions, voices, phone numbers with weighted `inbound_agents`,
//! phone calls, `{items, has_more, pagination_key}` lists. It refuses what the real API
//! refuses (an agent without `response_engine` or `voice_id`, unknown ids → 404, a flow
//! without its required fields → 400), answers 429 above its rate, can fail on request
//! ([`FakeRetell::fail_next`]) and records every request.

mod routes;

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use serde_json::Value;

/// One request as the fake saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub body: Value,
    pub status: u16,
}

pub struct Settings {
    pub api_key: String,
    /// Requests allowed per `rate_window` before 429.
    pub rate_limit: usize,
    pub rate_window: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { api_key: "key_retell_fake_0000000000".into(), rate_limit: 1000, rate_window: Duration::from_secs(1) }
    }
}

/// What the fake keeps; every object is stored as the JSON Retell would return.
#[derive(Debug, Default)]
pub struct Model {
    /// Agent id → its versions, oldest first.
    pub agents: BTreeMap<String, Vec<Value>>,
    pub llms: BTreeMap<String, Vec<Value>>,
    pub flows: BTreeMap<String, Vec<Value>>,
    /// E.164 → phone number object.
    pub numbers: BTreeMap<String, Value>,
    pub calls: Vec<Value>,
    pub voices: Vec<Value>,
    pub next_id: u64,
}

impl Model {
    fn new() -> Model {
        let voice = |id: &str, name: &str, gender: &str| serde_json::json!({"voice_id": id, "voice_name": name, "provider": "elevenlabs", "gender": gender, "accent": "German"});
        Model {
            voices: vec![
                voice("11labs-Carola", "Carola", "female"),
                voice("11labs-Anton", "Anton", "male"),
                voice("openai-Alloy", "Alloy", "female"),
            ],
            ..Default::default()
        }
    }

    /// The latest version of an agent.
    pub fn agent(&self, agent_id: &str) -> Option<&Value> {
        self.agents.get(agent_id)?.last()
    }
}

pub(crate) struct Shared {
    pub settings: Settings,
    pub model: Model,
    pub faults: Vec<(String, String, u16)>,
    pub seen: Vec<Seen>,
    pub recent: VecDeque<Instant>,
}

/// A running fake. Dropping it stops the server.
pub struct FakeRetell {
    pub url: String,
    shared: Arc<Mutex<Shared>>,
    _server: super::server::Server,
}

impl FakeRetell {
    /// Starts the fake on 127.0.0.1 with a port of its own, on its own thread.
    pub fn start(settings: Settings) -> FakeRetell {
        let shared = Arc::new(Mutex::new(Shared {
            settings,
            model: Model::new(),
            faults: Vec::new(),
            seen: Vec::new(),
            recent: VecDeque::new(),
        }));
        let state = shared.clone();
        let server = super::server::Server::start("fake Retell", move |req| serve(state.clone(), req));
        FakeRetell { url: server.url.clone(), shared, _server: server }
    }

    pub fn api_key(&self) -> String {
        self.lock().settings.api_key.clone()
    }

    /// The fake's state, to arrange a test or to look at what happened.
    pub fn with_model<R>(&self, f: impl FnOnce(&mut Model) -> R) -> R {
        f(&mut self.lock().model)
    }

    /// Answers the next request with this method whose path starts with `path` with `status`
    /// and Retell's error body, doing nothing.
    pub fn fail_next(&self, method: &str, path: &str, status: u16) {
        self.lock().faults.push((method.to_string(), path.to_string(), status));
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.lock().seen.clone()
    }

    fn lock(&self) -> MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(|e| e.into_inner())
    }
}

async fn serve(
    shared: Arc<Mutex<Shared>>,
    req: hyper::Request<hyper::body::Incoming>,
) -> Result<hyper::Response<Full<Bytes>>, std::convert::Infallible> {
    let (parts, body) = req.into_parts();
    let body = body.collect().await.map(|b| b.to_bytes()).unwrap_or_default();
    let authorization = parts.headers.get("authorization").and_then(|v| v.to_str().ok()).map(str::to_string);
    let request = routes::Request {
        method: parts.method.as_str().to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().unwrap_or("").to_string(),
        body: if body.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&body).unwrap_or(Value::String("<not JSON>".into()))
        },
    };
    let mut s = shared.lock().unwrap_or_else(|e| e.into_inner());
    let now = Instant::now();
    let window = s.settings.rate_window;
    while s.recent.front().is_some_and(|t| now.duration_since(*t) >= window) {
        s.recent.pop_front();
    }
    s.recent.push_back(now);
    let fault = s
        .faults
        .iter()
        .position(|(m, p, _)| *m == request.method && request.path.starts_with(p.as_str()))
        .map(|i| s.faults.remove(i).2);
    let (status, answer) = if authorization.as_deref() != Some(&format!("Bearer {}", s.settings.api_key)) {
        routes::error(401, "Invalid API key")
    } else if s.recent.len() > s.settings.rate_limit {
        routes::error(429, "account rate limited")
    } else if let Some(status) = fault {
        routes::error(status, "injected failure")
    } else {
        routes::handle(&mut s.model, &request)
    };
    s.seen.push(Seen {
        method: request.method.clone(),
        path: request.path.clone(),
        body: request.body.clone(),
        status,
    });
    drop(s);
    let body = match &answer {
        Value::Null => Bytes::new(),
        v => Bytes::from(v.to_string()),
    };
    Ok(hyper::Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Full::new(body))
        .expect("static response parts are valid"))
}
