//! `askpro-daemon`: the hyper server Retell talks to during live calls.
//!
//! [`serve`] takes a bound listener and a shutdown future, so tests run it in-process on port 0
//! and the binary wires it to SIGTERM/Ctrl-C. Connections in flight are drained on shutdown.

pub mod signature;

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use serde_json::json;
use tokio::net::TcpListener;

use crate::ops::App;

/// What every request handler can reach.
pub struct State {
    pub app: App,
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
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, _peer) = match accepted {
                    Ok(conn) => conn,
                    Err(e) => {
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let state = state.clone();
                let service = hyper::service::service_fn(move |req| handle(state.clone(), req));
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
            _ = &mut shutdown => break,
        }
    }
    drop(listener);
    if tokio::time::timeout(Duration::from_secs(10), graceful.shutdown()).await.is_err() {
        tracing::warn!("requests still running after 10 s; exiting anyway");
    }
    Ok(())
}

async fn handle(state: Arc<State>, req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let response = match (req.method(), req.uri().path()) {
        (&Method::GET, "/healthz") => json_response(StatusCode::OK, json!({"status": "ok"})),
        (&Method::GET, "/readyz") => match state.app.store.migration_status().await {
            Ok(list) if list.iter().all(|m| m.applied) => json_response(StatusCode::OK, json!({"status": "ready"})),
            Ok(_) => json_response(StatusCode::SERVICE_UNAVAILABLE, json!({"status": "migrations pending"})),
            Err(_) => json_response(StatusCode::SERVICE_UNAVAILABLE, json!({"status": "database unreachable"})),
        },
        _ => {
            json_response(StatusCode::NOT_FOUND, json!({"error": {"code": "not_found", "message": "no such endpoint"}}))
        }
    };
    Ok(response)
}

fn json_response(status: StatusCode, body: serde_json::Value) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body.to_string())))
        .expect("static response parts are valid")
}
