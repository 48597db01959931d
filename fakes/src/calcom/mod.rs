//! A stateful Cal.com API v2 fake on a loopback port, for tests and benchmarks. It follows
//! Cal.com's documented API: Bearer keys, the `cal-api-version` each family needs,
//! UTC booking starts, slots keyed by local date, take/skip pagination, 120 requests a minute
//! then 429 without `Retry-After`, bookings that make a slot disappear and a second booking of
//! it fail with Cal.com's 400, reschedules that issue a new uid. It can be told to be slow or
//! to fail ([`Fault`]), and it records every request it saw.

pub mod model;
mod routes;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};

pub use model::{FakeBooking, FakeEventType, FakeMember, Model, Schedule};

/// How the fake misbehaves for the next matching request.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Answer with this status and Cal.com's error envelope, doing nothing.
    Status(u16),
    /// Wait this long before handling the request.
    Delay(Duration),
    /// Handle the request, then answer with this status instead (the effect happened).
    StatusAfterCommit(u16),
    /// Handle the request, then wait this long before answering (the effect happened).
    DelayAfterCommit(Duration),
}

/// One request as the fake saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub query: String,
    pub api_version: Option<String>,
    pub authorization: Option<String>,
    /// The status answered; 0 while the request is still being handled.
    pub status: u16,
}

pub struct Settings {
    pub api_key: String,
    pub user_id: i64,
    pub team_id: i64,
    pub team_name: String,
    /// Set to serve the team through an organization (paginated event types).
    pub org_id: Option<i64>,
    pub rate_limit: usize,
    pub rate_window: Duration,
    /// How long a key stays blocked after exceeding the limit.
    pub block: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            api_key: "cal_test_fake0000000000000000".into(),
            user_id: 1,
            team_id: 77,
            team_name: "Salon Team".into(),
            org_id: None,
            rate_limit: 120,
            rate_window: Duration::from_secs(60),
            block: Duration::from_secs(60),
        }
    }
}

pub(crate) struct Shared {
    pub settings: Settings,
    pub model: Model,
    pub faults: Vec<(String, String, Fault)>,
    pub seen: Vec<Seen>,
    pub recent: VecDeque<Instant>,
    pub blocked_until: Option<Instant>,
    /// Every request waits this long (a slow upstream).
    pub delay: Option<Duration>,
}

/// A running fake. Dropping it stops the server.
pub struct FakeCalcom {
    pub url: String,
    shared: Arc<Mutex<Shared>>,
    _server: super::server::Server,
}

impl FakeCalcom {
    /// Starts the fake on 127.0.0.1 with a port of its own, on its own thread.
    pub fn start(settings: Settings, schedule: Schedule) -> FakeCalcom {
        let shared = Arc::new(Mutex::new(Shared {
            settings,
            model: Model::new(schedule),
            faults: Vec::new(),
            seen: Vec::new(),
            recent: VecDeque::new(),
            blocked_until: None,
            delay: None,
        }));
        let state = shared.clone();
        let server = super::server::Server::start("fake Cal.com", move |req| serve(state.clone(), req));
        FakeCalcom { url: server.url.clone(), shared, _server: server }
    }

    /// The fake's state, to arrange a test or to look at what happened.
    pub fn with_model<R>(&self, f: impl FnOnce(&mut Model) -> R) -> R {
        f(&mut self.lock().model)
    }

    pub fn api_key(&self) -> String {
        self.lock().settings.api_key.clone()
    }

    /// Misbehaves once for the next request with this method whose path starts with `path`.
    pub fn fail_next(&self, method: &str, path: &str, fault: Fault) {
        self.lock().faults.push((method.to_string(), path.to_string(), fault));
    }

    /// Makes every request wait (`None`: answer at once again).
    pub fn set_delay(&self, delay: Option<Duration>) {
        self.lock().delay = delay;
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
    let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
    let request = routes::Request {
        method: parts.method.as_str().to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().unwrap_or("").to_string(),
        api_version: header("cal-api-version"),
        authorization: header("authorization"),
        body,
    };
    let (before, after, delay, index) = {
        let mut s = shared.lock().unwrap_or_else(|e| e.into_inner());
        // Recorded on arrival (status 0 until answered), so a test sees a request in flight.
        s.seen.push(Seen {
            method: request.method.clone(),
            path: request.path.clone(),
            query: request.query.clone(),
            api_version: request.api_version.clone(),
            authorization: request.authorization.clone(),
            status: 0,
        });
        let index = s.seen.len() - 1;
        let fault = s
            .faults
            .iter()
            .position(|(m, p, _)| *m == request.method && request.path.starts_with(p.as_str()))
            .map(|i| s.faults.remove(i).2);
        let (before, after) = match fault {
            Some(f @ (Fault::Status(_) | Fault::Delay(_))) => (Some(f), None),
            Some(f) => (None, Some(f)),
            None => (None, None),
        };
        (before, after, s.delay, index)
    };
    if let Some(d) = delay {
        tokio::time::sleep(d).await;
    }
    let answer = match before {
        Some(Fault::Status(code)) => routes::error(code, "InternalServerErrorException", "injected failure"),
        other => {
            if let Some(Fault::Delay(d)) = other {
                tokio::time::sleep(d).await;
            }
            let answer = {
                let mut s = shared.lock().unwrap_or_else(|e| e.into_inner());
                routes::handle(&mut s, &request)
            };
            match after {
                Some(Fault::StatusAfterCommit(code)) => {
                    routes::error(code, "InternalServerErrorException", "injected failure")
                }
                Some(Fault::DelayAfterCommit(d)) => {
                    tokio::time::sleep(d).await;
                    answer
                }
                _ => answer,
            }
        }
    };
    shared.lock().unwrap_or_else(|e| e.into_inner()).seen[index].status = answer.status;
    Ok(answer.into_response())
}
