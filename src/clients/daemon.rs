//! A running askpro daemon, as Retell reaches it: signed POSTs (`retell:trigger`), and plain
//! GETs of its readiness (`preflight:check`).

use std::time::Duration;

use crate::error::{Error, Result};
use crate::signatures::retell as signature;

/// How long a delivery may take before it counts as failed.
const TIMEOUT: Duration = Duration::from_secs(10);

/// What the daemon answered.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub body: String,
}

/// POSTs `body` to `url` signed with `key` the way Retell signs (`X-Retell-Signature`).
/// A daemon that cannot be reached or does not answer in time is an upstream error.
pub async fn post_signed(url: &str, body: &[u8], key: &str) -> Result<Reply> {
    let sent = super::http::client(TIMEOUT)?
        .post(url)
        .header("content-type", "application/json")
        .header(signature::HEADER, signature::sign(body, key, crate::store::now_ms()))
        .body(body.to_vec())
        .send()
        .await
        .map_err(|e| {
            Error::upstream(format!("could not reach {url}"))
                .with_help("check that askpro-daemon runs and listens there (see its `--listen`)")
                .with_source(e)
        })?;
    let status = sent.status().as_u16();
    let body =
        sent.text().await.map_err(|e| Error::upstream(format!("{url} sent no readable answer")).with_source(e))?;
    Ok(Reply { status, body })
}

/// GETs `url` (`/readyz`, say). A daemon that cannot be reached or does not answer within
/// `timeout` is an upstream error.
pub async fn get(url: &str, timeout: Duration) -> Result<Reply> {
    let sent = super::http::client(timeout)?.get(url).send().await.map_err(|e| {
        Error::upstream(format!("could not reach {url}"))
            .with_help("check that askpro-daemon runs and listens there (see its `--listen`)")
            .with_source(e)
    })?;
    let status = sent.status().as_u16();
    let body =
        sent.text().await.map_err(|e| Error::upstream(format!("{url} sent no readable answer")).with_source(e))?;
    Ok(Reply { status, body })
}
