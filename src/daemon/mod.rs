//! `askpro-daemon`: the hyper server Retell talks to during live calls.
//!
//! [`serve`] takes a bound listener and a shutdown future, so tests run it in-process on port 0
//! and the binary wires it to SIGTERM/Ctrl-C. Connections in flight are drained on shutdown.
//! What one client can take is bounded: connections ([`connections`]), buffered body bytes
//! ([`body`]), and requests per source, where only requests whose signature verified are
//! charged to the signed budget and refusals have one of their own ([`limit`]). Retell requests
//! are verified on their raw bytes before anything is parsed (a request without a usable
//! signature header before its body is read); every error is a JSON body.

pub mod body;
pub mod connections;
pub mod keys;
pub mod limit;
pub mod metrics;
pub mod perf;
mod status;

use std::convert::Infallible;
use std::future::Future;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use serde_json::json;
use tokio::net::{TcpListener, TcpStream};

use crate::app::App;
use crate::error::{ErrorKind, Result};
use crate::ops::events::{self, Intake};
use crate::signatures::{calcom as cal_signature, retell as signature};
use body::{BodyError, Budget};
use connections::Connections;
use keys::Keys;
use metrics::Metrics;

/// What every request handler can reach.
pub struct State {
    pub app: App,
    pub metrics: Metrics,
    /// Charged by requests whose signature verified.
    signed: limit::RateLimit,
    /// Charged by requests refused for their signature, so they never use up the signed budget.
    refused: limit::RateLimit,
    bodies: Arc<Budget>,
    connections: Arc<Connections>,
    keys: std::sync::RwLock<Arc<Keys>>,
    /// The status page's database figures, kept a few seconds.
    status: status::SnapshotCache,
    /// The day whose counters [`perf::save`] saves.
    saved_day: perf::SavedDay,
}

/// The address a request came from (a request extension set by [`handle`]).
#[derive(Clone, Copy)]
struct Source(IpAddr);

impl State {
    /// Loads the Retell keys ([`serve`] refreshes them every 30 s); keeps schedules and matchers.
    pub async fn new(mut app: App) -> Result<State> {
        // A daemon answers many calls about the same companies and branches: it keeps their
        // service matchers, and on SQLite their schedules (whose versions only SQLite's
        // triggers keep; see migration 0009 for PostgreSQL).
        app.catalogs.get_or_insert_default();
        if app.settings.store_counters {
            app.count_store_time();
        }
        if app.store.backend() == crate::store::Backend::Sqlite {
            app.schedules.get_or_insert_default();
        }
        let keys = Keys::load(&app).await?;
        let rate = app.settings.rate_limit_per_source;
        let bodies = Budget::new(app.settings.max_buffered_bytes);
        let connections = Connections::new(app.settings.max_connections.unwrap_or_else(connections::default_cap));
        Ok(State {
            app,
            metrics: Metrics::default(),
            signed: limit::RateLimit::new(rate),
            refused: limit::RateLimit::new(rate),
            bodies,
            connections,
            keys: std::sync::RwLock::new(Arc::new(keys)),
            status: Default::default(),
            saved_day: Default::default(),
        })
    }

    /// The most connections served at once.
    pub fn max_connections(&self) -> usize {
        self.connections.cap()
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

/// Serves until `shutdown` resolves, then stops accepting, asks every connection to close after
/// its request in flight, and waits (up to 10 s) for them.
pub async fn serve(
    listener: TcpListener,
    state: Arc<State>,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    tokio::pin!(shutdown);
    let mut reload = tokio::time::interval(Duration::from_secs(30));
    reload.tick().await;
    let mut save = tokio::time::interval(state.app.settings.meter_save_every);
    save.tick().await;
    // One save at a time: a slow database skips a turn rather than piling saves up.
    let mut saving: Option<tokio::task::JoinHandle<()>> = None;
    let mut warned: Option<Instant> = None;
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => spawn_connection(&state, stream, peer.ip()),
                Err(e) => accept_failed(&state, &e, &mut warned).await,
            },
            _ = reload.tick() => {
                if let Err(e) = state.reload_keys().await {
                    tracing::warn!(error = %e, "could not reload the Retell keys; keeping the old ones");
                }
            }
            _ = save.tick() => {
                if saving.as_ref().is_none_or(|s| s.is_finished()) {
                    let state = state.clone();
                    saving = Some(tokio::spawn(async move { perf::save(&state).await }));
                }
            }
            _ = &mut shutdown => break,
        }
    }
    drop(listener);
    state.connections.close_all();
    if tokio::time::timeout(Duration::from_secs(10), state.connections.drained()).await.is_err() {
        tracing::warn!("requests still running after 10 s; exiting anyway");
    }
    // The last counters, unless the database keeps the daemon from stopping.
    if tokio::time::timeout(Duration::from_secs(2), perf::save(&state)).await.is_err() {
        tracing::warn!("could not save the store counters within 2 s; exiting without");
    }
    Ok(())
}

/// The most a connection's read buffer grows to (hyper's default is 400 KB): the request head
/// must fit in it, and hundreds of connections each sending a large body would otherwise hold
/// that much each, beyond the budget of buffered body bytes.
const READ_BUFFER: usize = 32 << 10;

/// What a client hears when every connection is busy: come back in a second.
const BUSY: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nretry-after: 1\r\n\
connection: close\r\ncontent-length: 71\r\n\r\n{\"error\":{\"code\":\"overloaded\",\"message\":\"too many connections; retry\"}}";

fn spawn_connection(state: &Arc<State>, stream: TcpStream, source: IpAddr) {
    let Some(open) = state.connections.admit() else {
        // Fits in a fresh socket's buffer: written at once or not at all, never waited for.
        let _ = stream.try_write(BUSY);
        return;
    };
    let (state, connection) = (state.clone(), open.connection());
    let service = hyper::service::service_fn(move |req| {
        let busy = connection.busy();
        let state = state.clone();
        async move {
            let _busy = busy;
            handle(state, source, req).await
        }
    });
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(Duration::from_secs(10))
        .max_buf_size(READ_BUFFER)
        .serve_connection(TokioIo::new(stream), service);
    tokio::spawn(async move {
        let mut conn = std::pin::pin!(conn);
        let ended = tokio::select! {
            ended = conn.as_mut() => ended,
            () = open.asked_to_close() => {
                // An idle connection closes at once; one with a request in flight answers it
                // first. One that sent part of a request head and stalls is not waited for.
                conn.as_mut().graceful_shutdown();
                loop {
                    tokio::select! {
                        ended = conn.as_mut() => break ended,
                        () = tokio::time::sleep(Duration::from_millis(100)) => if !open.is_busy() { break Ok(()) },
                    }
                }
            }
        };
        if let Err(e) = ended {
            tracing::debug!(error = %e, "connection ended with an error");
        }
    });
}

/// A failed accept: the client's own trouble is skipped; running out of descriptors (or memory)
/// closes an idle connection to free one and pauses briefly instead of spinning.
async fn accept_failed(state: &State, e: &std::io::Error, warned: &mut Option<Instant>) {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionReset, Interrupted};
    if matches!(e.kind(), ConnectionAborted | ConnectionReset | Interrupted) {
        return;
    }
    let shed = state.connections.shed_idle();
    if warned.is_none_or(|at| at.elapsed() >= Duration::from_secs(10)) {
        *warned = Some(Instant::now());
        tracing::warn!(error = %e, closed_an_idle_connection = shed, "accept failed");
    }
    tokio::time::sleep(Duration::from_millis(10)).await;
}

async fn handle(
    state: Arc<State>,
    source: IpAddr,
    mut req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let started = std::time::Instant::now();
    req.extensions_mut().insert(Source(source));
    let (endpoint, response) = match &state.app.meter {
        Some(meter) => {
            let ((endpoint, response), tally) = crate::meter::tally(route(&state, req)).await;
            meter.request(endpoint, &tally);
            (endpoint, response)
        }
        None => route(&state, req).await,
    };
    state.metrics.request(endpoint, response.status().as_u16(), started.elapsed());
    Ok(response)
}

/// The endpoint `req` asks for, and its answer.
async fn route(state: &Arc<State>, req: Request<Incoming>) -> (&'static str, Response<Full<Bytes>>) {
    match (req.method(), req.uri().path()) {
        (&Method::GET, "/healthz") => ("healthz", json_response(StatusCode::OK, json!({"status": "ok"}))),
        (&Method::GET, "/readyz") => ("readyz", readiness(state).await),
        (&Method::GET, "/metrics") => ("metrics", status::metrics(state)),
        (&Method::GET, "/status") => ("status", status::page(state).await),
        (&Method::GET, "/admin/performance") => ("admin_performance", perf::admin(state)),
        (&Method::POST, "/retell/webhook") => ("retell_webhook", retell_webhook(state, req).await),
        (&Method::POST, "/retell/inbound") => ("retell_inbound", retell_inbound(state, req).await),
        (&Method::POST, "/calcom/webhook") => ("calcom_webhook", calcom_webhook(state, req).await),
        (&Method::POST, path) if function_name(path).is_some() => {
            let name = function_name(path).flatten().map(str::to_string);
            ("retell_function", retell_function(state, req, name.as_deref()).await)
        }
        _ => ("other", error_response(StatusCode::NOT_FOUND, "not_found", "no such endpoint")),
    }
}

/// `GET /readyz`: ready when the database answers and every migration is applied; with the
/// daemon's version and the last migration it knows, which `preflight:check` compares with the CLI's.
async fn readiness(state: &State) -> Response<Full<Bytes>> {
    let version = env!("CARGO_PKG_VERSION");
    match state.app.store.migration_status().await {
        Ok(list) => {
            let migration = list.iter().map(|m| m.version).max();
            let (status, text) = match list.iter().all(|m| m.applied) {
                true => (StatusCode::OK, "ready"),
                false => (StatusCode::SERVICE_UNAVAILABLE, "migrations pending"),
            };
            json_response(status, json!({"status": text, "version": version, "migration": migration}))
        }
        Err(_) => json_response(
            StatusCode::SERVICE_UNAVAILABLE,
            json!({"status": "database unreachable", "version": version}),
        ),
    }
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
    let source = source(&req);
    let header = req.headers().get(cal_signature::HEADER).and_then(|v| v.to_str().ok()).map(str::to_string);
    if let Err(e) = cal_signature::parse(header.as_deref()) {
        return refused(state, source, e.reason(), &e.to_string());
    }
    let body = match read_body(state, req).await {
        Ok(body) => body,
        Err(response) => return response,
    };
    let company_id = match state.keys().verify_calcom(&body, header.as_deref()) {
        Ok(company_id) => company_id,
        Err(e) => return refused(state, source, e.reason(), &e.to_string()),
    };
    if let Some(response) = over_signed_limit(state, source) {
        return response;
    }
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
            crate::meter::name_request(answered.served.function);
            state.metrics.function(&answered.served, started.elapsed());
            json_text(StatusCode::OK, answered.json)
        }
        Err(e) => protocol_error(&e),
    }
}

/// The body and the scope of the key that signed it, or the 4xx answer. A request whose
/// header cannot verify is refused before its body is read; the signed rate limit is charged
/// only once the signature verified.
/// Bytes of body times keys up to which a signature is checked on the I/O thread.
const VERIFY_INLINE_BYTES: usize = 256 << 10;

async fn verified(state: &State, req: Request<Incoming>) -> Result<(events::Scope, Bytes), Response<Full<Bytes>>> {
    let source = source(&req);
    let header = req.headers().get(signature::HEADER).and_then(|v| v.to_str().ok()).map(str::to_string);
    let now = crate::store::now_ms();
    if let Err(e) = signature::Signature::checked(header.as_deref(), now) {
        return Err(refused(state, source, e.reason(), &e.to_string()));
    }
    let body = read_body(state, req).await?;
    let keys = state.keys();
    // One HMAC per configured key over the whole body: for large bodies and many keys, that
    // is milliseconds, which must not hold up the I/O threads (and /healthz with them).
    let verdict = if body.len().saturating_mul(keys.len()) <= VERIFY_INLINE_BYTES {
        keys.verify(&body, header.as_deref(), now)
    } else {
        let body = body.clone();
        tokio::task::spawn_blocking(move || keys.verify(&body, header.as_deref(), now))
            .await
            .unwrap_or(Err(signature::SignatureError::Mismatch))
    };
    match verdict {
        Ok(scope) => match over_signed_limit(state, source) {
            Some(response) => Err(response),
            None => Ok((scope, body)),
        },
        Err(e) => Err(refused(state, source, e.reason(), &e.to_string())),
    }
}

fn source(req: &Request<Incoming>) -> IpAddr {
    req.extensions().get::<Source>().map_or(IpAddr::from([0, 0, 0, 0]), |s| s.0)
}

/// 429 once the source has sent more signed requests than the rate allows.
fn over_signed_limit(state: &State, source: IpAddr) -> Option<Response<Full<Bytes>>> {
    state.signed.admit(source).err().map(too_many)
}

/// A request refused for its signature: 401, or 429 once the source has been refused more
/// often than the rate allows. Counted apart from signed requests, which it never holds up.
fn refused(state: &State, source: IpAddr, reason: &'static str, message: &str) -> Response<Full<Bytes>> {
    state.metrics.signature_failure(reason);
    match state.refused.admit(source) {
        Ok(()) => error_response(StatusCode::UNAUTHORIZED, "unauthorized", message),
        Err(wait) => too_many(wait),
    }
}

fn too_many(wait: u64) -> Response<Full<Bytes>> {
    let mut response =
        error_response(StatusCode::TOO_MANY_REQUESTS, "rate_limited", "too many requests from this source");
    response.headers_mut().insert(hyper::header::RETRY_AFTER, wait.into());
    response
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

/// The body within its limits ([`body::read`]), or the 4xx/503 answer.
async fn read_body(state: &State, req: Request<Incoming>) -> Result<Bytes, Response<Full<Bytes>>> {
    body::read(&state.bodies, req).await.map_err(|e| match e {
        BodyError::TooLarge => {
            error_response(StatusCode::PAYLOAD_TOO_LARGE, "too_large", "the body is larger than 1 MiB")
        }
        BodyError::Unreadable => error_response(StatusCode::BAD_REQUEST, "bad_request", "the body could not be read"),
        BodyError::Timeout => error_response(StatusCode::REQUEST_TIMEOUT, "timeout", "the body did not arrive in time"),
        BodyError::Overloaded => {
            let mut response =
                error_response(StatusCode::SERVICE_UNAVAILABLE, "overloaded", "too many request bodies at once; retry");
            response.headers_mut().insert(hyper::header::RETRY_AFTER, 1.into());
            response
        }
    })
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
