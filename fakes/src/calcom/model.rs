//! The fake's state and rules: event types with hosts, members, a weekly schedule, bookings
//! and reservations, and Cal.com's slot and booking rules as Cal.com documents
//! them. Written independently of askpro's own slot engine, so agreeing with it means something.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveTime, SecondsFormat, TimeZone, Utc};
use chrono_tz::Tz;
use serde_json::{json, Value};

#[derive(Debug, Clone)]
pub struct FakeEventType {
    pub id: i64,
    pub team_id: i64,
    pub title: String,
    pub slug: String,
    pub length: i64,
    /// Cents.
    pub price: Option<i64>,
    pub hosts: Vec<i64>,
    /// Minutes between slot starts; Cal.com uses the length when unset.
    pub slot_interval: Option<i64>,
    pub minimum_booking_notice: i64,
}

#[derive(Debug, Clone)]
pub struct FakeMember {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub username: String,
    pub accepted: bool,
    pub role: String,
}

#[derive(Debug, Clone)]
pub struct FakeBooking {
    pub id: i64,
    pub uid: String,
    pub event_type_id: i64,
    pub host: i64,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// `accepted` or `cancelled`.
    pub status: String,
    pub attendee: Value,
    pub metadata: Value,
    pub cancellation_reason: Option<String>,
    pub rescheduled_from_uid: Option<String>,
    pub rescheduled_to_uid: Option<String>,
}

#[derive(Debug, Clone)]
pub struct FakeReservation {
    pub uid: String,
    pub event_type_id: i64,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub until: DateTime<Utc>,
}

/// Every host works the same week: `(weekday 0 = Monday, open minute, close minute)` in `tz`.
#[derive(Debug, Clone)]
pub struct Schedule {
    pub tz: Tz,
    pub hours: Vec<(u32, u32, u32)>,
}

#[derive(Debug, Clone)]
pub struct Model {
    pub schedule: Schedule,
    pub event_types: Vec<FakeEventType>,
    pub members: Vec<FakeMember>,
    pub bookings: Vec<FakeBooking>,
    pub reservations: Vec<FakeReservation>,
    next_id: i64,
}

impl Model {
    pub fn new(schedule: Schedule) -> Model {
        Model {
            schedule,
            event_types: Vec::new(),
            members: Vec::new(),
            bookings: Vec::new(),
            reservations: Vec::new(),
            next_id: 1,
        }
    }

    pub fn event_type(&self, id: i64) -> Option<&FakeEventType> {
        self.event_types.iter().find(|e| e.id == id)
    }

    /// Bookable starts of an event type in `[from, to]`, as `(start, end)`.
    pub fn slots(
        &self,
        et: &FakeEventType,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        let tz = self.schedule.tz;
        let step = et.slot_interval.unwrap_or(et.length).max(1);
        let earliest = now + Duration::minutes(et.minimum_booking_notice);
        let mut out = Vec::new();
        let mut day = from.with_timezone(&tz).date_naive() - Duration::days(1);
        let last = to.with_timezone(&tz).date_naive();
        while day <= last {
            let weekday = day.weekday().num_days_from_monday();
            for &(_, open, close) in self.schedule.hours.iter().filter(|h| h.0 == weekday) {
                let mut minute = i64::from(open);
                while minute + et.length <= i64::from(close) {
                    if let Some(start) = local(tz, day, minute) {
                        let end = start + Duration::minutes(et.length);
                        let reserved = self
                            .reservations
                            .iter()
                            .any(|r| r.event_type_id == et.id && r.until > now && r.start < end && start < r.end);
                        if start >= from
                            && start <= to
                            && start >= earliest
                            && !reserved
                            && self.free_host(et, start, end, None).is_some()
                        {
                            out.push((start, end));
                        }
                    }
                    minute += step;
                }
            }
            day = day.succ_opt().unwrap_or(day);
            if day == NaiveDate::MAX {
                break;
            }
        }
        out.sort();
        out
    }

    /// The first host with no accepted booking overlapping `[start, end)`, ignoring `except`.
    pub fn free_host(
        &self,
        et: &FakeEventType,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        except: Option<&str>,
    ) -> Option<i64> {
        et.hosts.iter().copied().find(|host| {
            !self.bookings.iter().any(|b| {
                b.host == *host
                    && b.status == "accepted"
                    && Some(b.uid.as_str()) != except
                    && b.start < end
                    && start < b.end
            })
        })
    }

    /// Whether `start` is one of the event type's slots by schedule and notice (bookings and
    /// reservations aside: Cal.com's booking handler does not look at reservations).
    pub fn on_schedule(&self, et: &FakeEventType, start: DateTime<Utc>, now: DateTime<Utc>) -> bool {
        let tz = self.schedule.tz;
        let local_start = start.with_timezone(&tz);
        let day = local_start.date_naive();
        let step = et.slot_interval.unwrap_or(et.length).max(1);
        start >= now + Duration::minutes(et.minimum_booking_notice)
            && self.schedule.hours.iter().filter(|h| h.0 == day.weekday().num_days_from_monday()).any(
                |&(_, open, close)| {
                    let mut minute = i64::from(open);
                    while minute + et.length <= i64::from(close) {
                        if local(tz, day, minute) == Some(start) {
                            return true;
                        }
                        minute += step;
                    }
                    false
                },
            )
    }

    pub fn new_booking(
        &mut self,
        et: &FakeEventType,
        host: i64,
        start: DateTime<Utc>,
        attendee: Value,
        metadata: Value,
    ) -> FakeBooking {
        let id = self.next_id;
        self.next_id += 1;
        let booking = FakeBooking {
            id,
            uid: format!("bk_{id:06}_{:x}", start.timestamp() ^ (id * 7919)),
            event_type_id: et.id,
            host,
            start,
            end: start + Duration::minutes(et.length),
            status: "accepted".into(),
            attendee,
            metadata,
            cancellation_reason: None,
            rescheduled_from_uid: None,
            rescheduled_to_uid: None,
        };
        self.bookings.push(booking.clone());
        booking
    }

    pub fn next_uid(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        format!("{prefix}_{:06}", self.next_id)
    }

    pub fn booking_json(&self, b: &FakeBooking) -> Value {
        let host = self.members.iter().find(|m| m.user_id == b.host);
        let et = self.event_type(b.event_type_id);
        json!({
            "id": b.id,
            "uid": b.uid,
            "title": et.map(|e| e.title.clone()).unwrap_or_default(),
            "status": b.status,
            "start": iso(b.start),
            "end": iso(b.end),
            "duration": (b.end - b.start).num_minutes(),
            "eventTypeId": b.event_type_id,
            "eventType": {"id": b.event_type_id, "slug": et.map(|e| e.slug.clone())},
            "hosts": [{"id": b.host, "name": host.map(|m| m.name.clone()), "email": host.map(|m| m.email.clone()), "username": host.map(|m| m.username.clone()), "timeZone": self.schedule.tz.name()}],
            "attendees": [b.attendee],
            "metadata": b.metadata,
            "cancellationReason": b.cancellation_reason,
            "rescheduledFromUid": b.rescheduled_from_uid,
            "rescheduledToUid": b.rescheduled_to_uid,
            "createdAt": iso(b.start),
            "updatedAt": iso(b.start),
        })
    }

    pub fn event_type_json(&self, et: &FakeEventType) -> Value {
        let hosts: Vec<Value> = et
            .hosts
            .iter()
            .map(|h| {
                let m = self.members.iter().find(|m| m.user_id == *h);
                json!({"userId": h, "name": m.map(|m| m.name.clone()), "username": m.map(|m| m.username.clone()), "avatarUrl": null})
            })
            .collect();
        json!({
            "id": et.id, "title": et.title, "slug": et.slug, "lengthInMinutes": et.length,
            "price": et.price.unwrap_or(0), "currency": "eur", "hidden": false, "teamId": et.team_id,
            "schedulingType": "roundRobin", "hosts": hosts, "slotInterval": et.slot_interval,
            "minimumBookingNotice": et.minimum_booking_notice, "beforeEventBuffer": 0, "afterEventBuffer": 0,
            "bookingFields": [], "locations": [],
        })
    }

    pub fn member_json(&self, m: &FakeMember, team_id: i64) -> Value {
        json!({"id": m.user_id + 100_000, "userId": m.user_id, "teamId": team_id, "accepted": m.accepted, "role": m.role,
               "user": {"name": m.name, "email": m.email, "username": m.username, "avatarUrl": null}})
    }

    /// Slots grouped by local date in `tz`, rendered with the zone's offset.
    pub fn slots_json(slots: &[(DateTime<Utc>, DateTime<Utc>)], tz: Tz, range: bool) -> Value {
        let mut days: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        for (start, end) in slots {
            let local_start = start.with_timezone(&tz);
            let mut slot = json!({"start": local_start.to_rfc3339_opts(SecondsFormat::Millis, false)});
            if range {
                slot["end"] = end.with_timezone(&tz).to_rfc3339_opts(SecondsFormat::Millis, false).into();
            }
            days.entry(local_start.format("%Y-%m-%d").to_string()).or_default().push(slot);
        }
        json!(days)
    }
}

pub fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn local(tz: Tz, day: NaiveDate, minute: i64) -> Option<DateTime<Utc>> {
    let time = NaiveTime::from_hms_opt(u32::try_from(minute / 60).ok()?, u32::try_from(minute % 60).ok()?, 0)?;
    match tz.from_local_datetime(&day.and_time(time)) {
        LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(first, _) => Some(first.with_timezone(&Utc)),
        LocalResult::None => None,
    }
}
