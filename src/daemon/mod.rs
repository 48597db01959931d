//! `askpro-daemon`: the hyper server Retell talks to during live calls.
//!
//! [`serve`] takes a bound listener and a shutdown future, so tests run it in-process on port 0
//! and the binary wires it to SIGTERM/Ctrl-C. Connections in flight are drained on shutdown.
//! Bodies are capped (1 MiB, 413) and read under a timeout; Retell requests are verified on
//! their raw bytes before anything is parsed; every error is a JSON body.

pub mod cal_signature;
pub mod keys;
pub mod limit;
pub mod metrics;
pub mod signature;

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use serde_json::json;
use tokio::net::TcpListener;

use crate::error::{ErrorKind, Result};
use crate::ops::events::{self, Intake};
use crate::ops::App;
use keys::Keys;
use metrics::Metrics;

/// The largest body accepted (413 above it).
pub const BODY_LIMIT: usize = 1 << 20;
/// How long a client may take to send its body (408 after it).
const BODY_TIMEOUT: Duration = Duration::from_secs(10);

/// What every request handler can reach.
pub struct State {
    pub app: App,
    pub metrics: Metrics,
    limit: limit::RateLimit,
    keys: std::sync::RwLock<Arc<Keys>>,
}

impl State {
    /// Loads the Retell keys ([`serve`] refreshes them every 30 s); keeps schedules and matchers.
    pub async fn new(mut app: App) -> Result<State> {
        // A daemon answers many calls about the same companies and branches: it keeps their
        // service matchers, and on SQLite their schedules (whose versions only SQLite's
        // triggers keep; see migration 0009 for PostgreSQL).
        app.catalogs.get_or_insert_default();
        if app.store.backend() == crate::store::Backend::Sqlite {
            app.schedules.get_or_insert_default();
        }
        let keys = Keys::load(&app).await?;
        let limit = limit::RateLimit::new(app.settings.rate_limit_per_source);
        Ok(State { app, metrics: Metrics::default(), limit, keys: std::sync::RwLock::new(Arc::new(keys)) })
    }

    fn keys(&self) -> Arc<Keys> {
        self.keys.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub async fn reload_keys(&self) -> Result<()> {
        let keys = Arc::new(Keys::load(&self.app).await?);
        *self.keys.write().unwrap_or_else(|e| e.into_inner()) = keys;
        Ok(())
    }
}

/// Serves until `shutdown` resolves, then stops accepting and waits (up to 10 s) for requests in
/// flight.
pub async fn serve(
    listener: TcpListener,
    state: Arc<State>,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    let mut reload = tokio::time::interval(Duration::from_secs(30));
    reload.tick().await;
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(conn) => conn,
                    Err(e) => {
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let state = state.clone();
                let source = peer.ip();
                let service = hyper::service::service_fn(move |req| handle(state.clone(), source, req));
                let conn = hyper::server::conn::http1::Builder::new()
                    .timer(TokioTimer::new())
                    .header_read_timeout(Duration::from_secs(10))
                    .serve_connection(TokioIo::new(stream), service);
                let conn = graceful.watch(conn);
                tokio::spawn(async move {
                    if let Err(e) = conn.await {
                        tracing::debug!(error = %e, "connection ended with an error");
                    }
                });
            }
            _ = reload.tick() => {
                if let Err(e) = state.reload_keys().await {
                    tracing::warn!(error = %e, "could not reload the Retell keys; keeping the old ones");
                }
            }
            _ = &mut shutdown => break,
        }
    }
    drop(listener);
    if tokio::time::timeout(Duration::from_secs(10), graceful.shutdown()).await.is_err() {
        tracing::warn!("requests still running after 10 s; exiting anyway");
    }
    Ok(())
}

async fn handle(
    state: Arc<State>,
    source: std::net::IpAddr,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let started = std::time::Instant::now();
    if req.method() == Method::POST {
        if let Err(wait) = state.limit.admit(source) {
            let mut response =
                error_response(StatusCode::TOO_MANY_REQUESTS, "rate_limited", "too many requests from this source");
            response.headers_mut().insert(hyper::header::RETRY_AFTER, wait.into());
            state.metrics.request("rate_limited", 429, started.elapsed());
            return Ok(response);
        }
    }
    let (endpoint, response) = match (req.method(), req.uri().path()) {
        (&Method::GET, "/healthz") => ("healthz", json_response(StatusCode::OK, json!({"status": "ok"}))),
        (&Method::GET, "/readyz") => ("readyz", readiness(&state).await),
        (&Method::GET, "/metrics") => ("metrics", metrics_response(&state)),
        (&Method::GET, "/status") => ("status", status_page(&state)),
        (&Method::POST, "/retell/webhook") => ("retell_webhook", retell_webhook(&state, req).await),
        (&Method::POST, "/retell/inbound") => ("retell_inbound", retell_inbound(&state, req).await),
        (&Method::POST, "/calcom/webhook") => ("calcom_webhook", calcom_webhook(&state, req).await),
        (&Method::POST, path) if function_name(path).is_some() => {
            let name = function_name(path).flatten().map(str::to_string);
            ("retell_function", retell_function(&state, req, name.as_deref()).await)
        }
        _ => ("other", error_response(StatusCode::NOT_FOUND, "not_found", "no such endpoint")),
    };
    state.metrics.request(endpoint, response.status().as_u16(), started.elapsed());
    Ok(response)
}

async fn readiness(state: &State) -> Response<Full<Bytes>> {
    match state.app.store.migration_status().await {
        Ok(list) if list.iter().all(|m| m.applied) => json_response(StatusCode::OK, json!({"status": "ready"})),
        Ok(_) => json_response(StatusCode::SERVICE_UNAVAILABLE, json!({"status": "migrations pending"})),
        Err(_) => json_response(StatusCode::SERVICE_UNAVAILABLE, json!({"status": "database unreachable"})),
    }
}

fn metrics_response(state: &State) -> Response<Full<Bytes>> {
    Response::builder()
        .header("content-type", "text/plain; version=0.0.4")
        .body(Full::new(Bytes::from(state.metrics.render() + &circuits(state) + &kept_slots(state))))
        .expect("static response parts are valid")
}

/// A small HTML page with the same figures as `/metrics`, refreshing itself every 30 s.
fn status_page(state: &State) -> Response<Full<Bytes>> {
    let (rows, failures) = state.metrics.summary();
    let mut html = String::from(
        "<!doctype html><html lang=\"de\"><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"30\">\
         <title>askpro-daemon</title><style>body{font-family:sans-serif;margin:2em}td,th{padding:.2em 1em;text-align:right}\
         th:first-child,td:first-child{text-align:left}</style></head><body><h1>askpro-daemon</h1>\
         <table><tr><th>endpoint</th><th>requests</th><th>not 2xx</th><th>mean ms</th></tr>",
    );
    for (endpoint, count, failed, mean) in rows {
        html.push_str(&format!("<tr><td>{endpoint}</td><td>{count}</td><td>{failed}</td><td>{mean:.2}</td></tr>"));
    }
    let (functions, upstream) = state.metrics.function_summary();
    html.push_str("</table><h2>functions</h2><table><tr><th>function</th><th>calls</th><th>mean ms</th></tr>");
    for (function, count, mean) in functions {
        html.push_str(&format!("<tr><td>{function}</td><td>{count}</td><td>{mean:.2}</td></tr>"));
    }
    html.push_str("</table><h2>upstream failures</h2><table>");
    for (what, n) in upstream {
        html.push_str(&format!("<tr><td>{what}</td><td>{n}</td></tr>"));
    }
    html.push_str("</table><h2>signature failures</h2><table>");
    for (reason, n) in failures {
        html.push_str(&format!("<tr><td>{reason}</td><td>{n}</td></tr>"));
    }
    html.push_str("</table><h2>circuits</h2><table>");
    for (company, upstream, open) in state.app.breakers.states() {
        let state = if open { "open (paused)" } else { "closed" };
        html.push_str(&format!("<tr><td>company {company}, {upstream}</td><td>{state}</td></tr>"));
    }
    html.push_str("</table></body></html>");
    Response::builder()
        .header("content-type", "text/html; charset=utf-8")
        .body(Full::new(Bytes::from(html)))
        .expect("static response parts are valid")
}

/// The circuit breakers' states as a Prometheus gauge.
fn circuits(state: &State) -> String {
    let mut out = String::from(
        "# HELP askpro_circuit_open Whether calls to an upstream are paused for a company (1) or not (0).\n\
         # TYPE askpro_circuit_open gauge\n",
    );
    for (company, upstream, open) in state.app.breakers.states() {
        out.push_str(&format!(
            "askpro_circuit_open{{company=\"{company}\",upstream=\"{upstream}\"}} {}\n",
            u8::from(open)
        ));
    }
    out
}

/// How often kept slots served a day (SQLite only: a daemon on PostgreSQL keeps none).
fn kept_slots(state: &State) -> String {
    let Some(kept) = &state.app.schedules else { return String::new() };
    format!(
        "# HELP askpro_kept_slot_days_reused_total Days whose free slots a call took from memory instead of computing them.\n\
         # TYPE askpro_kept_slot_days_reused_total counter\n\
         askpro_kept_slot_days_reused_total {}\n",
        kept.days_reused()
    )
}

/// `POST /retell/webhook`: verify, store durably, acknowledge.
async fn retell_webhook(state: &State, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let (scope, body) = match verified(state, req).await {
        Ok(v) => v,
        Err(response) => return response,
    };
    match events::retell_event(&state.app, scope, &body).await {
        Ok(Intake::Stored { .. }) => json_response(StatusCode::OK, json!({"status": "ok"})),
        Ok(Intake::Duplicate) => json_response(StatusCode::OK, json!({"status": "duplicate"})),
        Err(e) => protocol_error(&e),
    }
}

/// `POST /calcom/webhook`: verify with the companies' webhook secrets, store, apply, acknowledge.
async fn calcom_webhook(state: &State, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let header = req.headers().get(cal_signature::HEADER).and_then(|v| v.to_str().ok()).map(str::to_string);
    let body = match read_body(req).await {
        Ok(body) => body,
        Err(response) => return response,
    };
    let company_id = match state.keys().verify_calcom(&body, header.as_deref()) {
        Ok(company_id) => company_id,
        Err(e) => {
            state.metrics.signature_failure(e.reason());
            return error_response(StatusCode::UNAUTHORIZED, "unauthorized", &e.to_string());
        }
    };
    match crate::ops::bookings::calcom_event(&state.app, company_id, &body).await {
        Ok(Intake::Stored { .. }) => json_response(StatusCode::OK, json!({"status": "ok"})),
        Ok(Intake::Duplicate) => json_response(StatusCode::OK, json!({"status": "duplicate"})),
        Err(e) => protocol_error(&e),
    }
}

/// `POST /retell/inbound`: the caller's dynamic variables before the call is picked up.
async fn retell_inbound(state: &State, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let (scope, body) = match verified(state, req).await {
        Ok(v) => v,
        Err(response) => return response,
    };
    match crate::functions::inbound::dynamic_variables(&state.app, scope, &body).await {
        Ok(answer) => json_response(StatusCode::OK, answer),
        Err(e) => protocol_error(&e),
    }
}

/// Whether `path` is a function endpoint, and the function it names (`None`: only the body does;
/// where the path names one, the body must name the same).
/// The `/api/webhooks/retell/…` paths are the seeds' backend's, so existing flows only change host.
fn function_name(path: &str) -> Option<Option<&str>> {
    match path {
        "/retell/function" | "/retell/functions" | "/api/webhooks/retell/function" => Some(None),
        "/api/webhooks/retell/check-customer" => Some(Some("check_customer")),
        "/api/webhooks/retell/current-context" => Some(Some("get_current_context")),
        _ => path
            .strip_prefix("/retell/function/")
            .filter(|n| {
                !n.is_empty() && n.len() <= 64 && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
            })
            .map(Some),
    }
}

/// `POST /retell/function[/{name}]`: verify, then answer within the deadline (always HTTP 200
/// once the request is verified and belongs to a known tenant).
async fn retell_function(state: &State, req: Request<Incoming>, name: Option<&str>) -> Response<Full<Bytes>> {
    let (scope, body) = match verified(state, req).await {
        Ok(v) => v,
        Err(response) => return response,
    };
    let started = std::time::Instant::now();
    match crate::functions::call(&state.app, scope, &body, name, state.app.settings.function_deadline).await {
        Ok(answered) => {
            state.metrics.function(&answered.served, started.elapsed());
            json_text(StatusCode::OK, answered.json)
        }
        Err(e) => protocol_error(&e),
    }
}

/// The body and the scope of the key that signed it, or the 4xx answer.
async fn verified(state: &State, req: Request<Incoming>) -> Result<(events::Scope, Bytes), Response<Full<Bytes>>> {
    let header = req.headers().get(signature::HEADER).and_then(|v| v.to_str().ok()).map(str::to_string);
    let body = read_body(req).await?;
    match state.keys().verify(&body, header.as_deref(), crate::store::now_ms()) {
        Ok(scope) => Ok((scope, body)),
        Err(e) => {
            state.metrics.signature_failure(e.reason());
            Err(error_response(StatusCode::UNAUTHORIZED, "unauthorized", &e.to_string()))
        }
    }
}

fn protocol_error(e: &crate::error::Error) -> Response<Full<Bytes>> {
    let status = match e.kind() {
        ErrorKind::Invalid => StatusCode::BAD_REQUEST,
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::Conflict => StatusCode::CONFLICT,
        _ => StatusCode::SERVICE_UNAVAILABLE,
    };
    if status == StatusCode::SERVICE_UNAVAILABLE {
        tracing::error!(error = %e, "request failed");
    }
    error_response(status, e.kind().code(), e.message())
}

/// The body, at most [`BODY_LIMIT`] bytes, sent within [`BODY_TIMEOUT`].
async fn read_body(req: Request<Incoming>) -> Result<Bytes, Response<Full<Bytes>>> {
    let too_large = || error_response(StatusCode::PAYLOAD_TOO_LARGE, "too_large", "the body is larger than 1 MiB");
    let declared = req.headers().get(hyper::header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|n| n > BODY_LIMIT as u64) {
        return Err(too_large());
    }
    match tokio::time::timeout(BODY_TIMEOUT, Limited::new(req.into_body(), BODY_LIMIT).collect()).await {
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => Err(too_large()),
        Ok(Err(_)) => Err(error_response(StatusCode::BAD_REQUEST, "bad_request", "the body could not be read")),
        Err(_) => Err(error_response(StatusCode::REQUEST_TIMEOUT, "timeout", "the body did not arrive in time")),
    }
}

fn error_response(status: StatusCode, code: &str, message: &str) -> Response<Full<Bytes>> {
    json_response(status, json!({"error": {"code": code, "message": message}}))
}

fn json_response(status: StatusCode, body: serde_json::Value) -> Response<Full<Bytes>> {
    json_text(status, body.to_string())
}

fn json_text(status: StatusCode, json: String) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(json)))
        .expect("static response parts are valid")
}
