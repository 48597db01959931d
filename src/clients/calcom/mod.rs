//! A client for Cal.com API v2:
//!
//! - `Authorization: Bearer <key>` on every request and the right `cal-api-version` for each
//!   endpoint family (bookings 2024-08-13, slots 2024-09-04, event types 2024-06-14,
//!   schedules 2024-06-11, none elsewhere);
//! - a timeout on every request, and at most 110 requests a minute per key (Cal.com allows
//!   120), spread out by the client; a 429 (sent without `Retry-After`) waits for the `X-RateLimit-Reset-*` header or
//!   backs off exponentially, then retries;
//! - reads that fail on a timeout, a broken connection or a 5xx are retried with backoff;
//!   writes are not — a booking create whose outcome is unknown is resolved by the caller
//!   reading bookings back ([`CalcomError::is_ambiguous`]);
//! - take/skip pagination, and typed errors ([`CalcomError`]) that map onto askpro's exit codes.

pub mod types;

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use tokio::sync::Mutex;
use tokio::time::Instant;

pub use types::*;

use crate::error::Error;

/// The hosted API. Tests and self-hosted installations pass their own (`ASKPRO_CALCOM_URL`).
pub const DEFAULT_BASE_URL: &str = "https://api.cal.com";

/// What can go wrong talking to Cal.com.
#[derive(Debug, thiserror::Error)]
pub enum CalcomError {
    #[error("Cal.com refused the API key ({status}): {message}")]
    Auth { status: u16, message: String },
    #[error("Cal.com has no such {what}: {message}")]
    NotFound { what: &'static str, message: String },
    /// The slot is not free (400 "already has booking" / "not available") or was taken
    /// concurrently (409).
    #[error("Cal.com says the time is taken: {message}")]
    SlotTaken { status: u16, message: String },
    #[error("Cal.com rejected the request ({status}): {message}")]
    Rejected { status: u16, message: String },
    #[error("Cal.com kept answering 429 (rate limit) after {attempts} attempts")]
    RateLimited { attempts: u32 },
    #[error("Cal.com failed ({status}): {message}")]
    Server { status: u16, message: String },
    #[error("Cal.com did not answer within {0:?}")]
    Timeout(Duration),
    #[error("cannot reach Cal.com: {0}")]
    Connect(String),
    #[error("Cal.com sent an answer askpro cannot read: {0}")]
    Decode(String),
}

impl CalcomError {
    /// Whether a write may or may not have happened (timeout, 409, 5xx): read back before
    /// telling anyone anything.
    pub fn is_ambiguous(&self) -> bool {
        matches!(
            self,
            CalcomError::Timeout(_)
                | CalcomError::Server { .. }
                | CalcomError::SlotTaken { status: 409, .. }
                | CalcomError::Connect(_)
        )
    }

    fn retryable(&self) -> bool {
        matches!(self, CalcomError::Timeout(_) | CalcomError::Server { .. } | CalcomError::Connect(_))
    }
}

impl From<CalcomError> for Error {
    fn from(err: CalcomError) -> Self {
        let message = err.to_string();
        match err {
            CalcomError::Auth { .. } => Error::config(message)
                .with_help("set a valid key with `askpro company:config --company-id ID --calcom-api-key cal_live_…`"),
            CalcomError::NotFound { .. } => Error::not_found(message),
            CalcomError::SlotTaken { .. } => Error::conflict(message),
            _ => Error::upstream(message),
        }
    }
}

pub type CalcomResult<T> = std::result::Result<T, CalcomError>;

/// Timeouts, retries and the request budget.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub base_url: String,
    /// Whole-request timeout.
    pub timeout: Duration,
    /// Retries after a 429, or after a failed read.
    pub max_retries: u32,
    /// First backoff; doubled per retry, capped at `max_backoff`.
    pub backoff: Duration,
    pub max_backoff: Duration,
    /// Requests allowed per `rate_window`, per key. Cal.com allows 120 a minute; the client
    /// keeps to 110 so that transit time and clock skew never make it look early.
    pub rate_limit: usize,
    pub rate_window: Duration,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            base_url: DEFAULT_BASE_URL.to_string(),
            timeout: Duration::from_secs(10),
            max_retries: 4,
            backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(60),
            rate_limit: 110,
            rate_window: Duration::from_secs(60),
        }
    }
}

#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    key: String,
    config: Arc<ClientConfig>,
    /// When the last `rate_limit` requests were sent.
    sent: Arc<Mutex<VecDeque<Instant>>>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client").field("base_url", &self.config.base_url).finish_non_exhaustive()
    }
}

/// The `cal-api-version` an endpoint family needs, if any.
pub fn api_version(path: &str) -> Option<&'static str> {
    [
        ("/v2/bookings", "2024-08-13"),
        ("/v2/slots", "2024-09-04"),
        ("/v2/event-types", "2024-06-14"),
        ("/v2/schedules", "2024-06-11"),
    ]
    .into_iter()
    .find(|(prefix, _)| {
        path == *prefix || path.starts_with(&format!("{prefix}/")) || path.starts_with(&format!("{prefix}?"))
    })
    .map(|(_, v)| v)
}

/// Page size for take/skip lists (the maximum most lists allow).
pub const PAGE: usize = 250;

impl Client {
    pub fn new(key: impl Into<String>, config: ClientConfig) -> Result<Client, Error> {
        let key = key.into();
        // An upstream or a gateway in front of it may repeat the key in an error.
        crate::secrets::remember(&key);
        let http = super::http::client(config.timeout)?;
        Ok(Client { http, key, config: Arc::new(config), sent: Arc::default() })
    }

    pub fn base_url(&self) -> &str {
        &self.config.base_url
    }

    // --- account, team, event types, members ------------------------------------------------

    pub async fn me(&self) -> CalcomResult<Me> {
        self.get("/v2/me", &[]).await
    }

    pub async fn team(&self, team_id: i64) -> CalcomResult<Team> {
        self.get(&format!("/v2/teams/{team_id}"), &[]).await
    }

    /// A team's event types. Organization teams are read page by page through the
    /// organization's list; `on_page` hears how many arrived with each page.
    pub async fn team_event_types(
        &self,
        team_id: i64,
        org_id: Option<i64>,
        on_page: &(dyn Fn(usize) + Send + Sync),
    ) -> CalcomResult<Vec<EventType>> {
        match org_id {
            None => {
                let all: Vec<EventType> = self.get(&format!("/v2/teams/{team_id}/event-types"), &[]).await?;
                on_page(all.len());
                Ok(all)
            }
            Some(org) => {
                let all: Vec<EventType> =
                    self.paged(&format!("/v2/organizations/{org}/teams/event-types"), &[], on_page).await?;
                Ok(all.into_iter().filter(|e| e.team_id.is_none_or(|t| t == team_id)).collect())
            }
        }
    }

    /// A team's accepted and pending memberships, page by page.
    pub async fn memberships(
        &self,
        team_id: i64,
        org_id: Option<i64>,
        on_page: &(dyn Fn(usize) + Send + Sync),
    ) -> CalcomResult<Vec<Membership>> {
        let path = match org_id {
            None => format!("/v2/teams/{team_id}/memberships"),
            Some(org) => format!("/v2/organizations/{org}/teams/{team_id}/memberships"),
        };
        self.paged(&path, &[], on_page).await
    }

    // --- slots and reservations -----------------------------------------------------------------

    /// Free slots of an event type starting in `[start, end]` (UTC instants), rendered in
    /// `time_zone` and grouped by local date.
    pub async fn slots(
        &self,
        event_type_id: i64,
        start: &str,
        end: &str,
        time_zone: &str,
    ) -> CalcomResult<std::collections::BTreeMap<String, Vec<SlotRange>>> {
        let id = event_type_id.to_string();
        let query = [
            ("eventTypeId", id.as_str()),
            ("start", start),
            ("end", end),
            ("timeZone", time_zone),
            ("format", "range"),
        ];
        self.get("/v2/slots", &query).await
    }

    /// Hides a slot from other callers for `minutes` (it does not stop a booking).
    pub async fn reserve(&self, event_type_id: i64, slot_start: &str, minutes: i64) -> CalcomResult<Reservation> {
        let body =
            serde_json::json!({"eventTypeId": event_type_id, "slotStart": slot_start, "reservationDuration": minutes});
        self.send(Method::POST, "/v2/slots/reservations", &[], Some(&body), false).await
    }

    /// Releases a reservation (the slot shows as free again).
    pub async fn release_reservation(&self, uid: &str) -> CalcomResult<()> {
        let _: serde_json::Value =
            self.send::<_, ()>(Method::DELETE, &format!("/v2/slots/reservations/{uid}"), &[], None, true).await?;
        Ok(())
    }

    // --- bookings ----------------------------------------------------------------------------

    /// Creates a booking. Not retried: on an ambiguous failure read the bookings back.
    pub async fn create_booking(&self, booking: &NewBooking) -> CalcomResult<Booking> {
        self.send(Method::POST, "/v2/bookings", &[], Some(booking), false).await
    }

    pub async fn booking(&self, uid: &str) -> CalcomResult<Booking> {
        self.get(&format!("/v2/bookings/{uid}"), &[]).await
    }

    /// Every booking matching `filter`, page by page.
    pub async fn bookings(&self, filter: &BookingFilter) -> CalcomResult<Vec<Booking>> {
        let id = filter.event_type_id.map(|v| v.to_string());
        let mut query: Vec<(&str, &str)> = Vec::new();
        if let Some(id) = &id {
            query.push(("eventTypeId", id));
        }
        if let Some(v) = &filter.after_start {
            query.push(("afterStart", v));
        }
        if let Some(v) = &filter.before_end {
            query.push(("beforeEnd", v));
        }
        if let Some(v) = filter.status {
            query.push(("status", v));
        }
        query.push(("sortStart", "asc"));
        self.paged("/v2/bookings", &query, &|_| ()).await
    }

    /// Moves a booking; Cal.com answers with a new booking under a new uid.
    pub async fn reschedule(&self, uid: &str, start: &str, reason: Option<&str>) -> CalcomResult<Booking> {
        let mut body = serde_json::json!({"start": start});
        if let Some(r) = reason {
            body["reschedulingReason"] = r.into();
        }
        self.send(Method::POST, &format!("/v2/bookings/{uid}/reschedule"), &[], Some(&body), false).await
    }

    pub async fn cancel(&self, uid: &str, reason: Option<&str>) -> CalcomResult<Booking> {
        let body = serde_json::json!({"cancellationReason": reason.unwrap_or("Cancelled by the caller")});
        self.send(Method::POST, &format!("/v2/bookings/{uid}/cancel"), &[], Some(&body), false).await
    }

    // --- transport ---------------------------------------------------------------------------

    async fn get<T: DeserializeOwned>(&self, path: &str, query: &[(&str, &str)]) -> CalcomResult<T> {
        self.send::<T, ()>(Method::GET, path, query, None, true).await
    }

    /// Reads every page of a take/skip list. Ends on `pagination.hasNextPage == false` where
    /// the answer has pagination, otherwise on a short page.
    async fn paged<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, &str)],
        on_page: &(dyn Fn(usize) + Send + Sync),
    ) -> CalcomResult<Vec<T>> {
        let mut all = Vec::new();
        let take = PAGE.to_string();
        loop {
            let skip = all.len().to_string();
            let mut q = query.to_vec();
            q.extend([("take", take.as_str()), ("skip", skip.as_str())]);
            let page: Envelope<Vec<T>> = self.request(Method::GET, path, &q, None::<&()>, true).await?;
            let n = page.data.len();
            all.extend(page.data);
            on_page(n);
            let more = match page.pagination {
                Some(p) => p.has_next_page,
                None => n == PAGE,
            };
            if !more || n == 0 {
                return Ok(all);
            }
        }
    }

    async fn send<T: DeserializeOwned, B: Serialize + ?Sized>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&B>,
        idempotent: bool,
    ) -> CalcomResult<T> {
        Ok(self.request::<T, B>(method, path, query, body, idempotent).await?.data)
    }

    async fn request<T: DeserializeOwned, B: Serialize + ?Sized>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&B>,
        idempotent: bool,
    ) -> CalcomResult<Envelope<T>> {
        let mut attempt = 0;
        loop {
            self.take_turn().await;
            let outcome = self.once(method.clone(), path, query, body).await;
            let wait = match &outcome {
                Err((CalcomError::RateLimited { .. }, reset)) => Some(reset.unwrap_or_else(|| self.backoff(attempt))),
                Err((e, _)) if idempotent && e.retryable() => Some(self.backoff(attempt)),
                _ => None,
            };
            match (outcome, wait) {
                (Ok(v), _) => return Ok(v),
                (Err((e, _)), Some(wait)) if attempt < self.config.max_retries => {
                    tracing::warn!(path, attempt, ?wait, error = %e, "Cal.com request failed; retrying");
                    tokio::time::sleep(wait.min(self.config.max_backoff)).await;
                    attempt += 1;
                }
                (Err((CalcomError::RateLimited { .. }, _)), _) => {
                    return Err(CalcomError::RateLimited { attempts: attempt + 1 })
                }
                (Err((e, _)), _) => return Err(e),
            }
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        super::http::backoff(self.config.backoff, attempt, self.config.max_backoff)
    }

    /// Waits until sending keeps within `rate_limit` requests per `rate_window`.
    async fn take_turn(&self) {
        let mut sent = self.sent.lock().await;
        let now = Instant::now();
        while sent.front().is_some_and(|t| now.duration_since(*t) >= self.config.rate_window) {
            sent.pop_front();
        }
        if sent.len() >= self.config.rate_limit.max(1) {
            if let Some(oldest) = sent.pop_front() {
                tokio::time::sleep_until(oldest + self.config.rate_window).await;
            }
        }
        sent.push_back(Instant::now());
    }

    /// One HTTP exchange, its duration and outcome recorded (`/metrics`).
    async fn once<T: DeserializeOwned, B: Serialize + ?Sized>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&B>,
    ) -> Result<Envelope<T>, (CalcomError, Option<Duration>)> {
        use crate::clients::observed::{self, Outcome};
        let started = Instant::now();
        let result = self.exchange(method, path, query, body).await;
        let outcome = match &result {
            Ok(_) => Outcome::Ok,
            Err((CalcomError::RateLimited { .. }, _)) => Outcome::RateLimited,
            Err((CalcomError::Server { .. }, _)) => Outcome::ServerError,
            Err((CalcomError::Timeout(_), _)) => Outcome::Timeout,
            Err((CalcomError::Connect(_), _)) => Outcome::Connect,
            Err((CalcomError::Decode(_), _)) => Outcome::Decode,
            Err(_) => Outcome::Rejected,
        };
        observed::record("calcom", outcome, started.elapsed());
        result
    }

    /// One HTTP exchange. A 429 comes back with the reset time the server announced.
    async fn exchange<T: DeserializeOwned, B: Serialize + ?Sized>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&B>,
    ) -> Result<Envelope<T>, (CalcomError, Option<Duration>)> {
        let url = format!("{}{path}", self.config.base_url.trim_end_matches('/'));
        let mut req = self.http.request(method, url).bearer_auth(&self.key).query(query);
        if let Some(version) = api_version(path) {
            req = req.header("cal-api-version", version);
        }
        if let Some(body) = body {
            req = req.json(body);
        }
        let response = req.send().await.map_err(|e| (self.transport_error(e), None))?;
        let status = response.status();
        let reset = reset_header(response.headers());
        let bytes = response.bytes().await.map_err(|e| (self.transport_error(e), None))?;
        if status.is_success() {
            return serde_json::from_slice(&bytes).map_err(|e| (CalcomError::Decode(format!("{path}: {e}")), None));
        }
        let message = error_message(&bytes);
        let code = status.as_u16();
        let err = match status {
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => CalcomError::Auth { status: code, message },
            StatusCode::NOT_FOUND => CalcomError::NotFound { what: what(path), message },
            StatusCode::TOO_MANY_REQUESTS => CalcomError::RateLimited { attempts: 1 },
            StatusCode::CONFLICT => CalcomError::SlotTaken { status: code, message },
            StatusCode::BAD_REQUEST if is_taken(&message) => CalcomError::SlotTaken { status: code, message },
            s if s.as_u16() == 498 => CalcomError::Auth { status: code, message },
            s if s.is_server_error() => CalcomError::Server { status: code, message },
            _ => CalcomError::Rejected { status: code, message },
        };
        Err((err, reset))
    }

    fn transport_error(&self, e: reqwest::Error) -> CalcomError {
        match super::http::Transport::from(e) {
            super::http::Transport::Timeout => CalcomError::Timeout(self.config.timeout),
            super::http::Transport::Decode(m) => CalcomError::Decode(m),
            super::http::Transport::Connect(m) => CalcomError::Connect(m),
        }
    }
}

/// Seconds from an `X-RateLimit-Reset-<Name>` header.
fn reset_header(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    headers
        .iter()
        .filter(|(name, _)| name.as_str().starts_with("x-ratelimit-reset"))
        .filter_map(|(_, v)| v.to_str().ok()?.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(Duration::from_secs_f64)
        .max()
}

/// The message of either error shape: the envelope's `error.message`, or Nest's `message`.
fn error_message(body: &[u8]) -> String {
    let v: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let message = v.pointer("/error/message").or_else(|| v.get("message")).and_then(|m| m.as_str());
    super::http::error_text(message, body)
}

/// Cal.com's 400 messages for a time that is not free.
fn is_taken(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    m.contains("already has booking") || m.contains("not available") || m.contains("no available users")
}

fn what(path: &str) -> &'static str {
    if path.starts_with("/v2/bookings") {
        "booking"
    } else if path.contains("event-types") || path.starts_with("/v2/slots") {
        "event type"
    } else if path.contains("/teams") {
        "team"
    } else {
        "resource"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_per_family() {
        assert_eq!(api_version("/v2/bookings"), Some("2024-08-13"));
        assert_eq!(api_version("/v2/bookings/abc/reschedule"), Some("2024-08-13"));
        assert_eq!(api_version("/v2/slots"), Some("2024-09-04"));
        assert_eq!(api_version("/v2/slots/reservations"), Some("2024-09-04"));
        assert_eq!(api_version("/v2/event-types/7"), Some("2024-06-14"));
        assert_eq!(api_version("/v2/schedules/default"), Some("2024-06-11"));
        assert_eq!(api_version("/v2/teams/5/event-types"), None);
        assert_eq!(api_version("/v2/me"), None);
        assert_eq!(api_version("/v2/bookingsx"), None);
    }

    #[test]
    fn both_error_shapes() {
        let envelope = br#"{"status":"error","error":{"code":"BadRequestException","message":"User either already has booking at this time or is not available"}}"#;
        assert!(is_taken(&error_message(envelope)));
        assert_eq!(error_message(br#"{"statusCode":500,"message":"Internal server error"}"#), "Internal server error");
        assert_eq!(error_message(b"<html>bad gateway</html>"), "<html>bad gateway</html>");
    }

    #[test]
    fn errors_map_to_exit_codes() {
        let e: Error = CalcomError::Auth { status: 401, message: "x".into() }.into();
        assert_eq!(e.exit_code(), 6);
        let e: Error = CalcomError::SlotTaken { status: 400, message: "x".into() }.into();
        assert_eq!(e.exit_code(), 4);
        let e: Error = CalcomError::Timeout(Duration::from_secs(1)).into();
        assert_eq!(e.exit_code(), 5);
        assert!(CalcomError::SlotTaken { status: 409, message: String::new() }.is_ambiguous());
        assert!(!CalcomError::SlotTaken { status: 400, message: String::new() }.is_ambiguous());
    }
}
