//! The fake's endpoints: authentication, the rate limit, the version header per family, and
//! the handful of routes askpro uses, answering in Cal.com's envelopes.

use std::collections::HashMap;
use std::time::Instant;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use http_body_util::Full;
use serde_json::{json, Value};

use super::model::{iso, FakeReservation, Model};
use super::Shared;

pub(super) struct Request {
    pub method: String,
    pub path: String,
    pub query: String,
    pub api_version: Option<String>,
    pub authorization: Option<String>,
    pub body: Bytes,
}

pub(super) struct Answer {
    pub status: u16,
    body: Value,
    headers: Vec<(String, String)>,
}

impl Answer {
    pub fn into_response(self) -> hyper::Response<Full<Bytes>> {
        let mut builder = hyper::Response::builder().status(self.status).header("content-type", "application/json");
        for (k, v) in self.headers {
            builder = builder.header(k, v);
        }
        builder.body(Full::new(Bytes::from(self.body.to_string()))).unwrap_or_default()
    }
}

fn ok(status: u16, data: Value) -> Answer {
    Answer { status, body: json!({"status": "success", "data": data}), headers: Vec::new() }
}

pub(super) fn error(status: u16, code: &str, message: &str) -> Answer {
    Answer {
        status,
        body: json!({"status": "error", "timestamp": iso(Utc::now()), "error": {"code": code, "message": message}}),
        headers: Vec::new(),
    }
}

fn bad_request(message: &str) -> Answer {
    error(400, "BadRequestException", message)
}

/// The version each family requires.
fn required_version(path: &str) -> Option<&'static str> {
    let family = |p: &str| path == p || path.starts_with(&format!("{p}/"));
    if family("/v2/bookings") {
        Some("2024-08-13")
    } else if family("/v2/slots") {
        Some("2024-09-04")
    } else if family("/v2/event-types") {
        Some("2024-06-14")
    } else if family("/v2/schedules") {
        Some("2024-06-11")
    } else {
        None
    }
}

pub(super) fn handle(s: &mut Shared, req: &Request) -> Answer {
    if req.authorization.as_deref() != Some(format!("Bearer {}", s.settings.api_key).as_str()) {
        return error(401, "UnauthorizedException", "Invalid Access Token.");
    }
    // The throttler: a fixed budget per window, then the key is blocked; no Retry-After.
    let now = Instant::now();
    let window = s.settings.rate_window;
    while s.recent.front().is_some_and(|t| now.duration_since(*t) >= window) {
        s.recent.pop_front();
    }
    let limit = s.settings.rate_limit;
    if let Some(until) = s.blocked_until.filter(|u| *u > now) {
        return throttled(limit, until - now);
    }
    s.recent.push_back(now);
    if s.recent.len() > limit {
        s.blocked_until = Some(now + s.settings.block);
        return throttled(limit, s.settings.block);
    }
    let remaining = limit - s.recent.len();
    let mut answer = route(s, req);
    answer.headers.extend([
        ("X-RateLimit-Limit-Default".to_string(), limit.to_string()),
        ("X-RateLimit-Remaining-Default".to_string(), remaining.to_string()),
        ("X-RateLimit-Reset-Default".to_string(), window.as_secs().to_string()),
    ]);
    answer
}

fn throttled(limit: usize, reset: std::time::Duration) -> Answer {
    let mut a = error(429, "ThrottlerException", "ThrottlerException: Too Many Requests");
    a.headers = vec![
        ("X-RateLimit-Limit-Default".into(), limit.to_string()),
        ("X-RateLimit-Remaining-Default".into(), "0".into()),
        ("X-RateLimit-Reset-Default".into(), format!("{:.3}", reset.as_secs_f64())),
    ];
    a
}

fn route(s: &mut Shared, req: &Request) -> Answer {
    if let Some(version) = required_version(&req.path) {
        if req.api_version.as_deref() != Some(version) {
            // Real Cal.com falls back to legacy handlers and fails confusingly; the fake says why.
            return bad_request(&format!("cal-api-version must be {version} for {}", req.path));
        }
    }
    let q: HashMap<String, String> = form_urlencoded::parse(req.query.as_bytes()).into_owned().collect();
    let body: Value =
        if req.body.is_empty() { json!({}) } else { serde_json::from_slice(&req.body).unwrap_or(Value::Null) };
    if body.is_null() {
        return bad_request("body is not JSON");
    }
    let segments: Vec<&str> = req.path.trim_start_matches('/').split('/').collect();
    let (team_id, org_id) = (s.settings.team_id, s.settings.org_id);
    let now = Utc::now();
    match (req.method.as_str(), segments.as_slice()) {
        ("GET", ["v2", "me"]) => ok(
            200,
            json!({"id": s.settings.user_id, "username": "owner", "email": "owner@example.test", "timeZone": s.model.schedule.tz.name(),
                   "organizationId": org_id, "organization": org_id.map(|id| json!({"id": id, "isPlatform": false}))}),
        ),
        ("GET", ["v2", "teams", id]) if *id == team_id.to_string() => ok(
            200,
            json!({"id": team_id, "name": s.settings.team_name, "slug": "team", "timeZone": s.model.schedule.tz.name(), "isOrganization": false}),
        ),
        ("GET", ["v2", "teams", id, "event-types"]) if *id == team_id.to_string() => {
            let all: Vec<Value> = s.model.event_types.iter().map(|e| s.model.event_type_json(e)).collect();
            ok(200, json!(all))
        }
        ("GET", ["v2", "organizations", org, "teams", "event-types"])
            if Some(*org) == org_id.map(|o| o.to_string()).as_deref() =>
        {
            let all: Vec<Value> = s.model.event_types.iter().map(|e| s.model.event_type_json(e)).collect();
            page(&q, all, 250, false)
        }
        ("GET", ["v2", "teams", id, "memberships"]) if *id == team_id.to_string() && org_id.is_none() => members(s, &q),
        ("GET", ["v2", "organizations", org, "teams", id, "memberships"])
            if *id == team_id.to_string() && Some(*org) == org_id.map(|o| o.to_string()).as_deref() =>
        {
            members(s, &q)
        }
        ("GET", ["v2", "slots"]) => slots(&s.model, &q, now),
        ("POST", ["v2", "slots", "reservations"]) => reserve(&mut s.model, &body, now),
        ("DELETE", ["v2", "slots", "reservations", uid]) => {
            let before = s.model.reservations.len();
            s.model.reservations.retain(|r| r.uid != *uid);
            if s.model.reservations.len() == before {
                error(404, "NotFoundException", "Reservation not found")
            } else {
                ok(200, json!(null))
            }
        }
        ("POST", ["v2", "bookings"]) => create(&mut s.model, &body, now),
        ("GET", ["v2", "bookings"]) => list(&s.model, &q, now),
        ("GET", ["v2", "bookings", uid]) => match s.model.bookings.iter().find(|b| b.uid == *uid) {
            Some(b) => ok(200, s.model.booking_json(b)),
            None => error(404, "NotFoundException", &format!("Booking with uid={uid} was not found in the database")),
        },
        ("POST", ["v2", "bookings", uid, "reschedule"]) => reschedule(&mut s.model, uid, &body, now),
        ("POST", ["v2", "bookings", uid, "cancel"]) => cancel(&mut s.model, uid, &body),
        _ => error(404, "NotFoundException", &format!("Cannot {} {}", req.method, req.path)),
    }
}

/// take/skip; `with_meta` adds the `pagination` object the bookings list has.
fn page(q: &HashMap<String, String>, all: Vec<Value>, default_take: usize, with_meta: bool) -> Answer {
    let take: usize = q.get("take").and_then(|v| v.parse().ok()).unwrap_or(default_take);
    let skip: usize = q.get("skip").and_then(|v| v.parse().ok()).unwrap_or(0);
    if take == 0 || take > 250 {
        return bad_request("take must not be greater than 250");
    }
    let total = all.len();
    let data: Vec<Value> = all.into_iter().skip(skip).take(take).collect();
    let mut answer = ok(200, json!(data));
    if with_meta {
        let returned = data.len();
        answer.body["pagination"] = json!({
            "totalItems": total, "remainingItems": total.saturating_sub(skip + returned), "returnedItems": returned,
            "itemsPerPage": take, "currentPage": skip / take + 1, "totalPages": total.div_ceil(take),
            "hasNextPage": skip + returned < total, "hasPreviousPage": skip > 0,
        });
    }
    answer
}

fn members(s: &Shared, q: &HashMap<String, String>) -> Answer {
    let all: Vec<Value> = s.model.members.iter().map(|m| s.model.member_json(m, s.settings.team_id)).collect();
    page(q, all, 250, false)
}

fn instant(v: Option<&str>) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(v?).ok().map(|t| t.with_timezone(&Utc))
}

fn slots(model: &Model, q: &HashMap<String, String>, now: DateTime<Utc>) -> Answer {
    let (Some(from), Some(to)) =
        (instant(q.get("start").map(String::as_str)), instant(q.get("end").map(String::as_str)))
    else {
        return bad_request("start and end must be ISO 8601 instants in UTC");
    };
    let Some(et) = q.get("eventTypeId").and_then(|v| v.parse::<i64>().ok()).and_then(|id| model.event_type(id)) else {
        return error(404, "NotFoundException", "Event type not found");
    };
    let tz: chrono_tz::Tz = match q.get("timeZone").map(|z| z.parse()) {
        None => chrono_tz::UTC,
        Some(Ok(tz)) => tz,
        Some(Err(_)) => return bad_request("timeZone is not a valid IANA zone"),
    };
    let found = model.slots(et, from, to, now);
    ok(200, Model::slots_json(&found, tz, q.get("format").map(String::as_str) == Some("range")))
}

fn reserve(model: &mut Model, body: &Value, now: DateTime<Utc>) -> Answer {
    let Some(et) = body["eventTypeId"].as_i64().and_then(|id| model.event_type(id)).cloned() else {
        return error(404, "NotFoundException", "Event type not found");
    };
    let Some(start) = instant(body["slotStart"].as_str()) else {
        return bad_request("slotStart must be an ISO 8601 instant");
    };
    let minutes = body["reservationDuration"].as_i64().unwrap_or(5);
    let uid = model.next_uid("rsv");
    let end = start + chrono::Duration::minutes(et.length);
    let until = now + chrono::Duration::minutes(minutes);
    model.reservations.push(FakeReservation { uid: uid.clone(), event_type_id: et.id, start, end, until });
    ok(
        201,
        json!({"eventTypeId": et.id, "slotStart": iso(start), "slotEnd": iso(end), "slotDuration": et.length,
               "reservationUid": uid, "reservationDuration": minutes, "reservationUntil": iso(until)}),
    )
}

fn utc_start(v: &Value) -> Result<DateTime<Utc>, Answer> {
    let text = v.as_str().ok_or_else(|| bad_request("start is required"))?;
    if !text.ends_with('Z') {
        return Err(bad_request("start must be in UTC (end with Z)"));
    }
    instant(Some(text)).ok_or_else(|| bad_request("start must be an ISO 8601 instant"))
}

const TAKEN: &str = "One of the hosts either already has booking at this time or is not available";

fn create(model: &mut Model, body: &Value, now: DateTime<Utc>) -> Answer {
    let start = match utc_start(&body["start"]) {
        Ok(t) => t,
        Err(a) => return a,
    };
    let attendee = &body["attendee"];
    if attendee["name"].as_str().is_none_or(str::is_empty) || attendee["timeZone"].as_str().is_none() {
        return bad_request("attendee.name and attendee.timeZone are required");
    }
    let Some(et) = body["eventTypeId"].as_i64().and_then(|id| model.event_type(id)).cloned() else {
        return error(404, "NotFoundException", "Event type not found");
    };
    if start < now {
        return bad_request("Attempting to book a meeting in the past.");
    }
    if !model.on_schedule(&et, start, now) {
        return bad_request(TAKEN);
    }
    let end = start + chrono::Duration::minutes(et.length);
    let Some(host) = model.free_host(&et, start, end, None) else { return bad_request(TAKEN) };
    let booking = model.new_booking(&et, host, start, attendee.clone(), body["metadata"].clone());
    ok(201, model.booking_json(&booking))
}

fn list(model: &Model, q: &HashMap<String, String>, now: DateTime<Utc>) -> Answer {
    let event_type = q.get("eventTypeId").and_then(|v| v.parse::<i64>().ok());
    let after = instant(q.get("afterStart").map(String::as_str));
    let before = instant(q.get("beforeEnd").map(String::as_str));
    let statuses: Vec<&str> = q.get("status").map(|s| s.split(',').collect()).unwrap_or_default();
    let mut found: Vec<_> = model
        .bookings
        .iter()
        .filter(|b| event_type.is_none_or(|id| b.event_type_id == id))
        .filter(|b| after.is_none_or(|t| b.start >= t) && before.is_none_or(|t| b.end <= t))
        .filter(|b| {
            statuses.is_empty()
                || statuses.iter().any(|s| match *s {
                    "upcoming" => b.status == "accepted" && b.end >= now,
                    "past" => b.end < now,
                    "cancelled" => b.status == "cancelled",
                    _ => false,
                })
        })
        .collect();
    found.sort_by_key(|b| b.start);
    let all: Vec<Value> = found.into_iter().map(|b| model.booking_json(b)).collect();
    page(q, all, 100, true)
}

fn reschedule(model: &mut Model, uid: &str, body: &Value, now: DateTime<Utc>) -> Answer {
    let start = match utc_start(&body["start"]) {
        Ok(t) => t,
        Err(a) => return a,
    };
    let Some(old) = model.bookings.iter().find(|b| b.uid == uid).cloned() else {
        return error(404, "NotFoundException", &format!("Booking with uid={uid} was not found in the database"));
    };
    if old.status != "accepted" {
        return bad_request("Can't reschedule a cancelled or rescheduled booking");
    }
    let Some(et) = model.event_type(old.event_type_id).cloned() else {
        return error(404, "NotFoundException", "Event type not found");
    };
    let end = start + chrono::Duration::minutes(et.length);
    if !model.on_schedule(&et, start, now) {
        return bad_request(TAKEN);
    }
    let Some(host) = model.free_host(&et, start, end, Some(uid)) else { return bad_request(TAKEN) };
    let mut new = model.new_booking(&et, host, start, old.attendee.clone(), old.metadata.clone());
    new.rescheduled_from_uid = Some(old.uid.clone());
    for b in model.bookings.iter_mut() {
        if b.uid == new.uid {
            b.rescheduled_from_uid = Some(old.uid.clone());
        }
        if b.uid == old.uid {
            b.status = "cancelled".into();
            b.rescheduled_to_uid = Some(new.uid.clone());
        }
    }
    ok(201, model.booking_json(&new))
}

fn cancel(model: &mut Model, uid: &str, body: &Value) -> Answer {
    let Some(b) = model.bookings.iter_mut().find(|b| b.uid == uid) else {
        return error(404, "NotFoundException", &format!("Booking with uid={uid} was not found in the database"));
    };
    if b.status == "cancelled" {
        return bad_request("This booking has already been cancelled.");
    }
    b.status = "cancelled".into();
    b.cancellation_reason = body["cancellationReason"].as_str().map(str::to_string);
    let b = b.clone();
    ok(200, model.booking_json(&b))
}
