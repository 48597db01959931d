//! A client for Retell's REST API:
//!
//! - `Authorization: Bearer <key>` on every request, JSON both ways, the base URL from
//!   `RETELL_BASE_URL` (tests point it at the fake in `fakes/`);
//! - a timeout on every request; reads and updates that meet a 429, a 5xx, a timeout or a broken
//!   connection are retried with backoff (honouring `retry-after-ms` / `retry-after`); creates
//!   never are — Retell sends no idempotency key, so a create whose outcome is unknown is looked
//!   up by the caller instead ([`RetellError::is_ambiguous`]);
//! - `{items, has_more, pagination_key}` pagination, and Retell's error body
//!   `{"status": "error", "message": …}` turned into typed errors that map onto exit codes.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::error::Error;

/// The hosted API.
pub const DEFAULT_BASE_URL: &str = "https://api.retellai.com";

/// What can go wrong talking to Retell.
#[derive(Debug, thiserror::Error)]
pub enum RetellError {
    #[error("Retell refused the API key ({status}): {message}")]
    Auth { status: u16, message: String },
    #[error("Retell has no such {what}: {message}")]
    NotFound { what: &'static str, message: String },
    #[error("Retell rejected the request ({status}): {message}")]
    Rejected { status: u16, message: String },
    #[error("Retell kept answering 429 (rate limit) after {attempts} attempts")]
    RateLimited { attempts: u32 },
    #[error("Retell failed ({status}): {message}")]
    Server { status: u16, message: String },
    #[error("Retell did not answer within {0:?}")]
    Timeout(Duration),
    #[error("cannot reach Retell: {0}")]
    Connect(String),
    #[error("Retell sent an answer askpro cannot read: {0}")]
    Decode(String),
}

impl RetellError {
    /// Whether a create may have happened anyway (timeout, broken connection, 5xx).
    pub fn is_ambiguous(&self) -> bool {
        matches!(self, RetellError::Timeout(_) | RetellError::Server { .. } | RetellError::Connect(_))
    }

    fn retryable(&self) -> bool {
        self.is_ambiguous() || matches!(self, RetellError::RateLimited { .. })
    }
}

impl From<RetellError> for Error {
    fn from(err: RetellError) -> Self {
        let message = err.to_string();
        match err {
            RetellError::Auth { .. } => Error::config(message)
                .with_help("set RETELL_API_KEY (or the company's --retell-api-key) to a valid Retell API key"),
            RetellError::NotFound { .. } => Error::not_found(message),
            RetellError::Rejected { .. } => Error::invalid(message),
            _ => Error::upstream(message),
        }
    }
}

pub type RetellResult<T> = std::result::Result<T, RetellError>;

/// Timeouts and retries.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub base_url: String,
    pub timeout: Duration,
    /// Retries of a read or update (never of a create).
    pub max_retries: u32,
    /// First backoff; doubled per retry, capped at `max_backoff`.
    pub backoff: Duration,
    pub max_backoff: Duration,
    /// Items asked for per page of a list.
    pub page_size: usize,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            base_url: DEFAULT_BASE_URL.to_string(),
            timeout: Duration::from_secs(30),
            max_retries: 3,
            backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
            page_size: 1000,
        }
    }
}

/// What answers an agent's calls: a conversation flow or a Retell LLM. Its name is the
/// `response_engine.type` and also the noun in its endpoints (`/create-retell-llm`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Engine {
    ConversationFlow,
    RetellLlm,
}

impl Engine {
    pub fn parse(kind: &str) -> Option<Engine> {
        match kind {
            "conversation-flow" => Some(Engine::ConversationFlow),
            "retell-llm" => Some(Engine::RetellLlm),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Engine::ConversationFlow => "conversation-flow",
            Engine::RetellLlm => "retell-llm",
        }
    }

    /// The field holding the engine's id, in the engine and in `response_engine`.
    pub fn id_field(self) -> &'static str {
        match self {
            Engine::ConversationFlow => "conversation_flow_id",
            Engine::RetellLlm => "llm_id",
        }
    }

    /// An agent's `response_engine` for the engine `id`.
    pub fn response_engine(self, id: &str) -> Value {
        json!({"type": self.as_str(), self.id_field(): id})
    }

    pub fn update_path(self, id: &str) -> String {
        format!("/update-{self}/{id}")
    }
}

impl std::fmt::Display for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An agent as Retell returns it (the fields askpro reads).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Agent {
    pub agent_id: String,
    #[serde(default)]
    pub version: i64,
    #[serde(default)]
    pub is_published: bool,
    pub response_engine: Value,
    #[serde(default)]
    pub voice_id: Option<String>,
    #[serde(default)]
    pub agent_name: Option<String>,
    #[serde(default)]
    pub language: Option<Value>,
    #[serde(default)]
    pub webhook_url: Option<String>,
}

impl Agent {
    /// The agent's response engine and its id (none for a custom LLM).
    pub fn engine(&self) -> Option<(Engine, String)> {
        let engine = Engine::parse(self.response_engine.get("type")?.as_str()?)?;
        let id = self.response_engine.get(engine.id_field())?.as_str()?;
        Some((engine, id.to_string()))
    }
}

/// A phone number as Retell returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhoneNumber {
    pub phone_number: String,
    #[serde(default)]
    pub phone_number_type: Option<String>,
    #[serde(default)]
    pub inbound_agents: Option<Vec<Value>>,
    #[serde(default)]
    pub nickname: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Page<T> {
    items: Vec<T>,
    #[serde(default)]
    has_more: bool,
    #[serde(default)]
    pagination_key: Option<String>,
}

#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    key: String,
    config: ClientConfig,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client").field("base_url", &self.config.base_url).finish_non_exhaustive()
    }
}

/// Whether a request may be sent again after a transient failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Repeat {
    Safe,
    Never,
}

impl Client {
    pub fn new(key: impl Into<String>, config: ClientConfig) -> Result<Client, Error> {
        let key = key.into();
        // An upstream or a gateway in front of it may repeat the key in an error.
        crate::secrets::remember(&key);
        let http = super::http::client(config.timeout)?;
        Ok(Client { http, key, config })
    }

    pub fn base_url(&self) -> &str {
        &self.config.base_url
    }

    // --- response engines ------------------------------------------------------------------
    // A Retell LLM and a conversation flow have the same endpoints under their own names.

    pub async fn create_engine(&self, engine: Engine, body: &Value) -> RetellResult<Value> {
        self.send(Method::POST, &format!("/create-{engine}"), &[], Some(body), Repeat::Never).await
    }

    pub async fn get_engine(&self, engine: Engine, id: &str, version: Option<i64>) -> RetellResult<Value> {
        self.get_version(&format!("/get-{engine}/{id}"), version).await
    }

    pub async fn update_engine(&self, engine: Engine, id: &str, body: &Value) -> RetellResult<Value> {
        self.send(Method::PATCH, &engine.update_path(id), &[], Some(body), Repeat::Safe).await
    }

    pub async fn list_engines(&self, engine: Engine) -> RetellResult<Vec<Value>> {
        self.paged(Method::GET, &format!("/v2/list-{engine}s"), None).await
    }

    pub async fn delete_engine(&self, engine: Engine, id: &str) -> RetellResult<()> {
        self.empty(Method::DELETE, &format!("/delete-{engine}/{id}"), &[], None).await
    }

    // --- agents ------------------------------------------------------------------------------

    pub async fn create_agent(&self, body: &Value) -> RetellResult<Agent> {
        self.send(Method::POST, "/create-agent", &[], Some(body), Repeat::Never).await
    }

    pub async fn get_agent(&self, agent_id: &str, version: Option<i64>) -> RetellResult<Agent> {
        self.get_version(&format!("/get-agent/{agent_id}"), version).await
    }

    /// Edits the agent's latest draft.
    pub async fn update_agent(&self, agent_id: &str, body: &Value) -> RetellResult<Agent> {
        self.send(Method::PATCH, &format!("/update-agent/{agent_id}"), &[], Some(body), Repeat::Safe).await
    }

    /// Publishes the draft `version` in place.
    pub async fn publish_agent_version(&self, agent_id: &str, version: i64) -> RetellResult<()> {
        let body = json!({"version": version});
        self.empty(Method::POST, &format!("/publish-agent-version/{agent_id}"), &[], Some(&body)).await
    }

    /// Agents whose name contains `query` (every agent without one), all pages.
    pub async fn list_agents(&self, query: Option<&str>) -> RetellResult<Vec<Value>> {
        let body = query.map(|q| json!({"filter_criteria": {"query": q}})).unwrap_or_else(|| json!({}));
        self.paged(Method::POST, "/v2/list-agents", Some(&body)).await
    }

    // --- voices, numbers, calls --------------------------------------------------------------

    pub async fn list_voices(&self) -> RetellResult<Vec<Value>> {
        self.send(Method::GET, "/list-voices", &[], None, Repeat::Safe).await
    }

    pub async fn get_phone_number(&self, number: &str) -> RetellResult<PhoneNumber> {
        self.send(Method::GET, &format!("/get-phone-number/{number}"), &[], None, Repeat::Safe).await
    }

    pub async fn update_phone_number(&self, number: &str, body: &Value) -> RetellResult<PhoneNumber> {
        self.send(Method::PATCH, &format!("/update-phone-number/{number}"), &[], Some(body), Repeat::Safe).await
    }

    pub async fn create_phone_number(&self, body: &Value) -> RetellResult<PhoneNumber> {
        self.send(Method::POST, "/create-phone-number", &[], Some(body), Repeat::Never).await
    }

    pub async fn create_phone_call(&self, body: &Value) -> RetellResult<Value> {
        self.send(Method::POST, "/v2/create-phone-call", &[], Some(body), Repeat::Never).await
    }

    // --- transport ---------------------------------------------------------------------------

    /// A GET of an object, at `version` or (without one) its latest.
    async fn get_version<T: DeserializeOwned>(&self, path: &str, version: Option<i64>) -> RetellResult<T> {
        let version = version.map(|v| v.to_string());
        let query: Vec<(&str, &str)> = version.iter().map(|v| ("version", v.as_str())).collect();
        self.send(Method::GET, path, &query, None, Repeat::Safe).await
    }

    /// Every page of a `{items, has_more, pagination_key}` list.
    async fn paged(&self, method: Method, path: &str, body: Option<&Value>) -> RetellResult<Vec<Value>> {
        let mut all = Vec::new();
        let mut key: Option<String> = None;
        loop {
            let mut query = vec![("limit", self.config.page_size.to_string())];
            if let Some(k) = &key {
                query.push(("pagination_key", k.clone()));
            }
            let query: Vec<(&str, &str)> = query.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let page: Page<Value> = self.send(method.clone(), path, &query, body, Repeat::Safe).await?;
            all.extend(page.items);
            match (page.has_more, page.pagination_key) {
                (true, Some(next)) if Some(&next) != key.as_ref() => key = Some(next),
                _ => return Ok(all),
            }
        }
    }

    async fn empty(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> RetellResult<()> {
        let repeat = if method == Method::POST { Repeat::Never } else { Repeat::Safe };
        self.exchange(method, path, query, body, repeat).await.map(|_| ())
    }

    async fn send<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&Value>,
        repeat: Repeat,
    ) -> RetellResult<T> {
        let bytes = self.exchange(method, path, query, body, repeat).await?;
        serde_json::from_slice(&bytes).map_err(|e| RetellError::Decode(format!("{path}: {e}")))
    }

    async fn exchange(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&Value>,
        repeat: Repeat,
    ) -> RetellResult<bytes::Bytes> {
        let mut attempt = 0;
        loop {
            match self.once(method.clone(), path, query, body).await {
                Ok(bytes) => return Ok(bytes),
                Err((e, wait)) if repeat == Repeat::Safe && e.retryable() && attempt < self.config.max_retries => {
                    let wait = wait.unwrap_or_else(|| self.backoff(attempt)).min(self.config.max_backoff);
                    tracing::warn!(path, attempt, ?wait, error = %e, "Retell request failed; retrying");
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
                Err((RetellError::RateLimited { .. }, _)) => {
                    return Err(RetellError::RateLimited { attempts: attempt + 1 })
                }
                Err((e, _)) => return Err(e),
            }
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        super::http::backoff(self.config.backoff, attempt, self.config.max_backoff)
    }

    /// One HTTP exchange, its duration and outcome recorded (`/metrics`).
    async fn once(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Result<bytes::Bytes, (RetellError, Option<Duration>)> {
        use crate::clients::observed::{self, Outcome};
        let started = std::time::Instant::now();
        let result = self.exchange_once(method, path, query, body).await;
        let outcome = match &result {
            Ok(_) => Outcome::Ok,
            Err((RetellError::RateLimited { .. }, _)) => Outcome::RateLimited,
            Err((RetellError::Server { .. }, _)) => Outcome::ServerError,
            Err((RetellError::Timeout(_), _)) => Outcome::Timeout,
            Err((RetellError::Connect(_), _)) => Outcome::Connect,
            Err((RetellError::Decode(_), _)) => Outcome::Decode,
            Err(_) => Outcome::Rejected,
        };
        observed::record("retell", outcome, started.elapsed());
        result
    }

    /// One HTTP exchange; a failure comes with the wait the server asked for, if any.
    async fn exchange_once(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Result<bytes::Bytes, (RetellError, Option<Duration>)> {
        // Phone numbers go into the path raw (`+` unencoded), as both SDKs send them.
        let url = format!("{}{path}", self.config.base_url.trim_end_matches('/'));
        let mut req = self.http.request(method, url).bearer_auth(&self.key).query(query);
        if let Some(body) = body {
            req = req.json(body);
        }
        let response = req.send().await.map_err(|e| (self.transport_error(e), None))?;
        let status = response.status();
        let wait = retry_after(response.headers());
        let bytes = response.bytes().await.map_err(|e| (self.transport_error(e), None))?;
        if status.is_success() {
            return Ok(bytes);
        }
        let message = error_message(&bytes);
        let code = status.as_u16();
        let err = match status {
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => RetellError::Auth { status: code, message },
            StatusCode::NOT_FOUND | StatusCode::UNPROCESSABLE_ENTITY => {
                RetellError::NotFound { what: what(path), message }
            }
            StatusCode::TOO_MANY_REQUESTS => RetellError::RateLimited { attempts: 1 },
            s if s.is_server_error() => RetellError::Server { status: code, message },
            _ => RetellError::Rejected { status: code, message },
        };
        Err((err, wait))
    }

    fn transport_error(&self, e: reqwest::Error) -> RetellError {
        match super::http::Transport::from(e) {
            super::http::Transport::Timeout => RetellError::Timeout(self.config.timeout),
            super::http::Transport::Decode(m) => RetellError::Decode(m),
            super::http::Transport::Connect(m) => RetellError::Connect(m),
        }
    }
}

/// `retry-after-ms` (milliseconds) or `retry-after` (seconds), at most a minute.
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let number = |name: &str| {
        headers.get(name)?.to_str().ok()?.trim().parse::<f64>().ok().filter(|v| v.is_finite() && *v >= 0.0)
    };
    number("retry-after-ms")
        .map(|ms| Duration::from_secs_f64(ms / 1000.0))
        .or_else(|| number("retry-after").map(Duration::from_secs_f64))
        .map(|d| d.min(Duration::from_secs(60)))
}

/// Retell's `{"status": "error", "message": …}`, or the start of whatever came.
fn error_message(body: &[u8]) -> String {
    let v: Value = serde_json::from_slice(body).unwrap_or_default();
    let message = v.get("message").and_then(|m| m.as_str());
    super::http::error_text(message, body)
}

fn what(path: &str) -> &'static str {
    if path.contains("agent") {
        "agent"
    } else if path.contains("phone-number") {
        "phone number"
    } else if path.contains("conversation-flow") {
        "conversation flow"
    } else if path.contains("retell-llm") {
        "Retell LLM"
    } else if path.contains("voice") {
        "voice"
    } else {
        "resource"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_map_to_exit_codes() {
        assert_eq!(Error::from(RetellError::Auth { status: 401, message: "x".into() }).exit_code(), 6);
        assert_eq!(Error::from(RetellError::NotFound { what: "agent", message: "x".into() }).exit_code(), 3);
        assert_eq!(Error::from(RetellError::Rejected { status: 400, message: "x".into() }).exit_code(), 2);
        assert_eq!(Error::from(RetellError::Timeout(Duration::from_secs(1))).exit_code(), 5);
        assert_eq!(error_message(br#"{"status":"error","message":"Agent not found"}"#), "Agent not found");
    }

    #[test]
    fn engines() {
        let agent: Agent = serde_json::from_value(json!({"agent_id": "a", "version": 2,
            "response_engine": {"type": "conversation-flow", "conversation_flow_id": "cf_1", "version": 1}}))
        .unwrap();
        assert_eq!(agent.engine(), Some((Engine::ConversationFlow, "cf_1".into())));
        assert_eq!(Engine::RetellLlm.response_engine("llm_1"), json!({"type": "retell-llm", "llm_id": "llm_1"}));
    }
}
