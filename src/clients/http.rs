//! What every upstream client shares: the HTTP client itself, how a transport failure is
//! classified, how an upstream's text is made fit to show, and the backoff between retries.

use std::time::Duration;

use crate::error::Error;
use crate::secrets::redact;

/// An HTTP client with a whole-request `timeout` (and a connect timeout of at most 5 s).
pub fn client(timeout: Duration) -> Result<reqwest::Client, Error> {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(5)))
        .user_agent(concat!("askpro/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| Error::internal("cannot build the HTTP client").with_source(e))
}

/// How a request failed below HTTP.
#[derive(Debug)]
pub enum Transport {
    Timeout,
    /// The answer's body could not be read.
    Decode(String),
    /// No connection, or it broke.
    Connect(String),
}

impl From<reqwest::Error> for Transport {
    fn from(e: reqwest::Error) -> Transport {
        if e.is_timeout() {
            Transport::Timeout
        } else if e.is_decode() || e.is_body() {
            Transport::Decode(redact(&e.to_string()).into_owned())
        } else {
            Transport::Connect(redact(&e.without_url().to_string()).into_owned())
        }
    }
}

/// An upstream's error as askpro shows it: its `message` when it sent one, else the start of
/// its body. Every secret the process knows is replaced before the text is cut, so a gateway
/// that echoes the key shows neither the key nor a piece of it.
pub fn error_text(message: Option<&str>, body: &[u8]) -> String {
    match message {
        Some(message) => redact(message).into_owned(),
        None => redact(&String::from_utf8_lossy(body)).chars().take(200).collect(),
    }
}

/// `first` doubled `attempt` times, at most `max`.
pub fn backoff(first: Duration, attempt: u32, max: Duration) -> Duration {
    first.saturating_mul(1 << attempt.min(16)).min(max)
}
