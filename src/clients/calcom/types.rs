//! The Cal.com API v2 shapes askpro reads and writes, hand-written after
//! Cal.com's documentation (the OpenAPI document is loose in places: ids are integers,
//! hosts are objects, slots are objects). Unknown fields are ignored and most fields default,
//! so a new field upstream never breaks a call.

use serde::{Deserialize, Serialize};

/// `GET /v2/me`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Me {
    pub id: i64,
    pub username: Option<String>,
    pub email: Option<String>,
    pub time_zone: Option<String>,
    pub organization_id: Option<i64>,
}

/// `GET /v2/teams/{teamId}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Team {
    pub id: i64,
    pub name: String,
    pub slug: Option<String>,
    pub time_zone: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Host {
    pub user_id: i64,
    pub name: Option<String>,
    pub username: Option<String>,
}

/// A team event type (`cal-api-version: 2024-06-14`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EventType {
    pub id: i64,
    pub title: String,
    pub slug: String,
    pub length_in_minutes: i64,
    /// In the currency's minor unit (cents), as Cal.com stores it.
    pub price: Option<i64>,
    pub currency: Option<String>,
    pub hidden: bool,
    pub team_id: Option<i64>,
    pub scheduling_type: Option<String>,
    pub hosts: Vec<Host>,
    pub slot_interval: Option<i64>,
    pub minimum_booking_notice: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct MemberUser {
    pub name: Option<String>,
    pub email: Option<String>,
    pub username: Option<String>,
}

/// A team membership; `accepted: false` is a pending invitation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Membership {
    pub id: i64,
    pub user_id: i64,
    pub team_id: i64,
    pub accepted: bool,
    pub role: String,
    pub user: MemberUser,
}

/// One free slot from `GET /v2/slots?format=range`, as Cal.com rendered it (with an offset).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SlotRange {
    pub start: String,
    pub end: Option<String>,
}

/// `POST /v2/slots/reservations`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Reservation {
    pub event_type_id: i64,
    pub slot_start: String,
    pub slot_end: Option<String>,
    pub reservation_uid: String,
    pub reservation_until: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Attendee {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    pub time_zone: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BookingHost {
    pub id: i64,
    pub name: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EventTypeRef {
    pub id: i64,
    pub slug: Option<String>,
}

/// A booking (`cal-api-version: 2024-08-13`). `start` and `end` are UTC.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Booking {
    pub id: i64,
    pub uid: String,
    pub status: String,
    pub start: String,
    pub end: String,
    pub event_type: Option<EventTypeRef>,
    pub hosts: Vec<BookingHost>,
    pub attendees: Vec<Attendee>,
    pub metadata: serde_json::Map<String, serde_json::Value>,
    pub cancellation_reason: Option<String>,
    pub rescheduled_from_uid: Option<String>,
    pub rescheduled_to_uid: Option<String>,
}

/// The body of `POST /v2/bookings`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewBooking {
    /// UTC, with a `Z`.
    pub start: String,
    pub event_type_id: i64,
    pub attendee: Attendee,
    /// askpro's correlation keys (`askpro_ref`, `askpro_call_id`); at most 50 string values.
    pub metadata: serde_json::Map<String, serde_json::Value>,
}

/// Filters of `GET /v2/bookings`.
#[derive(Debug, Clone, Default)]
pub struct BookingFilter {
    pub event_type_id: Option<i64>,
    pub after_start: Option<String>,
    pub before_end: Option<String>,
    pub status: Option<&'static str>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct Pagination {
    pub has_next_page: bool,
}

/// The success envelope: `{"status": "success", "data": …, "pagination"?: …}`.
#[derive(Debug, Deserialize)]
pub(super) struct Envelope<T> {
    pub data: T,
    #[serde(default)]
    pub pagination: Option<Pagination>,
}
