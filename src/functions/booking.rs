//! Functions that look at or change the calendar: availability with alternatives, holding and
//! booking a slot, cancelling and rescheduling the caller's appointment.
//!
//! A time offered to the caller carries a `slot_id`; booking by `slot_id` (or by a spoken time
//! that is exactly a free slot) means the agent never books a time it made up.

use std::sync::Arc;

use chrono::{Duration, NaiveDate, NaiveTime, Timelike};
use chrono_tz::Tz;
use serde_json::Value;

use super::args::SlotId;
use super::{info, Answer, Ctx, Status};
use crate::calendar::{BookingRequest, Calendar, FreeSlot, Interval, SlotQuery};
use crate::domain::say;
use crate::domain::{name_key, E164};
use crate::error::{ErrorKind, Result};
use crate::nlu::{self, Part};
use crate::store::{Appointment, Customer, Service};

/// An early answer (needs input, not found …) instead of a value.
type Step<T> = std::result::Result<T, Answer>;

/// The value of a step, or return its early answer (from a handler).
macro_rules! need {
    ($e:expr) => {
        match $e? {
            Ok(v) => v,
            Err(answer) => return Ok(answer),
        }
    };
}

/// The value of a step, or pass its early answer on (from another step).
macro_rules! step {
    ($e:expr) => {
        match $e? {
            Ok(v) => v,
            Err(answer) => return Ok(Err(answer)),
        }
    };
}

const SERVICE: &[&str] = &["dienstleistung", "service", "service_name", "leistung"];
const DATE: &[&str] = &["datum", "date", "preferred_date", "tag"];
const TIME: &[&str] = &["uhrzeit", "time", "preferred_time", "time_of_day"];
const STAFF: &[&str] = &["mitarbeiter", "staff", "staff_name"];
const HALF_HOUR: i64 = 30 * 60_000;

/// The service the caller named, matched within the company and offered at this branch.
async fn service(ctx: &Ctx<'_>) -> Result<Step<Service>> {
    // Past the caps on a spoken phrase, what came is no service name: ask again.
    let Some(phrase) = ctx.args.text(SERVICE).filter(|p| nlu::services::within_caps(p)) else {
        return Ok(Err(Answer::new(Status::NeedsInput, "Für welche Leistung möchten Sie einen Termin?")));
    };
    let kept = crate::app::catalogs::kept_catalog(ctx.app, &ctx.company).await?;
    let threshold = ctx.company.service_confidence_threshold;
    let found = crate::app::catalogs::match_kept(&kept, &phrase, threshold)
        .await?
        .and_then(|m| kept.1.iter().find(|s| s.id == m.service_id).cloned());
    Ok(found.filter(|s| s.branch_id.is_none_or(|b| b == ctx.branch.id)).ok_or_else(|| {
        Answer::new(Status::NotFound, format!("Die Leistung „{phrase}“ bieten wir hier leider nicht an."))
            .with("requested", phrase)
    }))
}

/// The staff member named, if any and if they work here.
async fn staff(ctx: &Ctx<'_>) -> Result<Option<i64>> {
    let Some(name) = ctx.args.text(STAFF) else { return Ok(None) };
    let key = name_key(&name);
    let all = ctx.app.store.staff(ctx.company.id, ctx.branch.id).await?;
    Ok(all
        .iter()
        .find(|s| name_key(&s.name) == key || name_key(&s.name).split(' ').next() == Some(key.as_str()))
        .map(|s| s.id))
}

/// The day (and time, or part of the day) the caller said, in the branch's zone. An ISO date
/// (`2026-11-27`, as flows often send) is taken as it is; spoken forms go through `nlu`.
fn wanted(ctx: &Ctx<'_>, date: &[&str], time: &[&str]) -> nlu::When {
    let (date_text, time_text) = (ctx.args.text(date), ctx.args.text(time));
    let iso = date_text.as_deref().and_then(|d| NaiveDate::parse_from_str(d.get(..10).unwrap_or(d), "%Y-%m-%d").ok());
    let spoken = match iso {
        Some(_) => time_text.unwrap_or_default(),
        None => [date_text, time_text].into_iter().flatten().collect::<Vec<_>>().join(" "),
    };
    let mut when = nlu::resolve_when(&spoken, &ctx.now, ctx.tz);
    if iso.is_some() {
        when.date = iso;
    }
    when
}

/// A date and time as flows write them in one argument, in the branch's zone: the seeds'
/// `DD.MM.YYYY HH:MM`, and `YYYY-MM-DD HH:MM` (also with `T` and seconds). RFC 3339 with an
/// offset is read before this, spoken text after it.
fn written(text: &str) -> Option<nlu::When> {
    const FORMATS: [&str; 6] = [
        "%d.%m.%Y %H:%M",
        "%d.%m.%Y, %H:%M",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
    ];
    let at = FORMATS.iter().find_map(|f| chrono::NaiveDateTime::parse_from_str(text, f).ok())?;
    Some(nlu::When { date: Some(at.date()), time: Some(at.time()), part: None })
}

fn instant(ctx: &Ctx<'_>, date: NaiveDate, time: NaiveTime) -> Option<i64> {
    crate::calendar::slots::local_instant(ctx.tz, date, time)
}

fn midnight(ctx: &Ctx<'_>, date: NaiveDate) -> i64 {
    crate::calendar::slots::day_start(ctx.tz, date).unwrap_or(0)
}

/// Free slots of `service` in `calendar` from the start of `day` for `days` days.
async fn free(
    ctx: &Ctx<'_>,
    calendar: &dyn Calendar,
    service: &Service,
    day: NaiveDate,
    days: i64,
    staff_id: Option<i64>,
) -> Result<Vec<FreeSlot>> {
    let window = Interval { start: midnight(ctx, day), end: midnight(ctx, day + Duration::days(days)) };
    let query = SlotQuery { branch: &ctx.branch, service, window, staff_id, now: ctx.now.timestamp_millis() };
    calendar.free_slots(&query).await
}

fn in_part(ctx: &Ctx<'_>, slot: &FreeSlot, part: Option<Part>) -> bool {
    let hour = say::local(ctx.tz, slot.start).hour();
    match part {
        None => true,
        Some(Part::Morning) => hour < 12,
        Some(Part::Noon) => (11..14).contains(&hour),
        Some(Part::Afternoon) => (12..17).contains(&hour),
        Some(Part::Evening) => hour >= 17,
    }
}

/// Up to two alternatives to `wanted` among the free `slots` of its day and the six after:
/// the same day within ±30 minutes first, then the same time on the next days, then the
/// nearest.
fn alternatives(tz: Tz, slots: &[FreeSlot], wanted: i64) -> Vec<FreeSlot> {
    let day = say::local(tz, wanted).date_naive();
    let clock = say::local(tz, wanted).time();
    let same_time = slots.iter().filter(|s| {
        let t = say::local(tz, s.start);
        t.date_naive() > day && t.time() == clock
    });
    let mut nearest: Vec<&FreeSlot> = slots.iter().collect();
    nearest.sort_by_key(|s| ((s.start - wanted).abs(), s.start));
    let mut picked = Vec::new();
    for s in near(tz, slots, wanted).into_iter().chain(same_time).chain(nearest) {
        if picked.len() == 2 {
            break;
        }
        add_alternative(&mut picked, s, wanted);
    }
    picked
}

/// [`alternatives`] from part of the week when that part decides them: `day` holds the free
/// slots of `wanted`'s day, `same_time` those at its time of day on the six days after, and
/// `next_day` is where the following day begins. `None` when the other slots of the week could
/// still be among the nearest.
fn decided_alternatives(
    tz: Tz,
    day: &[FreeSlot],
    same_time: &[FreeSlot],
    wanted: i64,
    next_day: i64,
) -> Option<Vec<FreeSlot>> {
    let mut picked = Vec::new();
    for s in near(tz, day, wanted).into_iter().chain(same_time) {
        if picked.len() == 2 {
            return Some(picked);
        }
        add_alternative(&mut picked, s, wanted);
    }
    // Every slot of a later day is at least `next_day - wanted` away, and on a tie the day's
    // earlier slot comes first: a day slot no farther than that is among the nearest.
    let mut nearest: Vec<&FreeSlot> = day.iter().collect();
    nearest.sort_by_key(|s| ((s.start - wanted).abs(), s.start));
    for s in nearest {
        if picked.len() == 2 {
            break;
        }
        if (s.start - wanted).abs() > next_day - wanted {
            return None;
        }
        add_alternative(&mut picked, s, wanted);
    }
    (picked.len() == 2).then_some(picked)
}

/// The free slots of `wanted`'s day within half an hour of it, nearest first.
fn near(tz: Tz, slots: &[FreeSlot], wanted: i64) -> Vec<&FreeSlot> {
    let day = say::local(tz, wanted).date_naive();
    let mut near: Vec<&FreeSlot> = slots
        .iter()
        .filter(|s| (s.start - wanted).abs() <= HALF_HOUR && say::local(tz, s.start).date_naive() == day)
        .collect();
    near.sort_by_key(|s| ((s.start - wanted).abs(), s.start));
    near
}

/// Adds `s` to the alternatives unless it is the wanted time or already there.
fn add_alternative(picked: &mut Vec<FreeSlot>, s: &FreeSlot, wanted: i64) {
    if s.start != wanted && !picked.iter().any(|p| p.start == s.start) {
        picked.push(s.clone());
    }
}

fn offer(ctx: &Ctx<'_>, service: &Service, slot: &FreeSlot) -> Value {
    let mut v = say::fields(ctx.tz, slot.start);
    let staff = (slot.staff_ids.len() == 1).then(|| slot.staff_ids[0]);
    v["slot_id"] = SlotId { service_id: service.id, start: slot.start, staff_id: staff }.encode().into();
    v
}

fn spoken(ctx: &Ctx<'_>, slots: &[FreeSlot]) -> String {
    slots.iter().map(|s| say::when(ctx.tz, s.start)).collect::<Vec<_>>().join(" oder ")
}

/// The free slots a time wanted on `day` is answered from: that day's; or, where every read is
/// a round trip to a remote calendar, the week's from that day on, so that finding
/// alternatives needs no further read.
async fn around(ctx: &Ctx<'_>, service: &Service, day: NaiveDate, staff_id: Option<i64>) -> Result<Around> {
    let calendar = ctx.app.calendar(&ctx.company).await?;
    let days = if calendar.reads_are_round_trips() { 7 } else { 1 };
    let slots = free(ctx, calendar.as_ref(), service, day, days, staff_id).await?;
    Ok(Around { calendar, slots })
}

/// What [`around`] read, and from which calendar: `slots` of the wanted day, or of the week
/// from it where the calendar's reads are round trips.
struct Around {
    calendar: Arc<dyn Calendar>,
    slots: Vec<FreeSlot>,
}

/// "That time is taken": the alternatives around `wanted`.
async fn taken(ctx: &Ctx<'_>, service: &Service, wanted: i64, staff_id: Option<i64>) -> Result<Answer> {
    let day = say::local(ctx.tz, wanted).date_naive();
    let read = around(ctx, service, day, staff_id).await?;
    taken_among(ctx, service, wanted, staff_id, read).await
}

/// [`taken`] when the free slots around `wanted` are already read.
async fn taken_among(
    ctx: &Ctx<'_>,
    service: &Service,
    wanted: i64,
    staff_id: Option<i64>,
    read: Around,
) -> Result<Answer> {
    let Around { calendar, mut slots } = read;
    if calendar.reads_are_round_trips() {
        return Ok(alternatives_answer(ctx, service, wanted, &alternatives(ctx.tz, &slots, wanted)));
    }
    let local = say::local(ctx.tz, wanted);
    let (day, clock) = (local.date_naive(), local.time());
    // The week's other slots are read only when the day and the same time on the next days
    // leave the answer open: on a busy branch, most of a call's work is computing slots.
    // Two free times within half an hour decide the answer whatever the next days hold.
    let near_enough = near(ctx.tz, &slots, wanted).iter().filter(|s| s.start != wanted).count() >= 2;
    let starts: Vec<i64> = if near_enough {
        Vec::new()
    } else {
        (1..=6).filter_map(|k| instant(ctx, day + Duration::days(k), clock)).collect()
    };
    let same_time = match (starts.first(), starts.last()) {
        (Some(&first), Some(&last)) => {
            let window = Interval { start: first, end: last + 1 };
            let query = SlotQuery { branch: &ctx.branch, service, window, staff_id, now: ctx.now.timestamp_millis() };
            calendar.free_starts(&query, &starts).await?
        }
        _ => Vec::new(),
    };
    let next_day = midnight(ctx, day + Duration::days(1));
    let alts = match decided_alternatives(ctx.tz, &slots, &same_time, wanted, next_day) {
        Some(alts) => alts,
        None => {
            slots.extend(free(ctx, calendar.as_ref(), service, day + Duration::days(1), 6, staff_id).await?);
            alternatives(ctx.tz, &slots, wanted)
        }
    };
    Ok(alternatives_answer(ctx, service, wanted, &alts))
}

/// The answer that `wanted` is taken, offering `alts`.
fn alternatives_answer(ctx: &Ctx<'_>, service: &Service, wanted: i64, alts: &[FreeSlot]) -> Answer {
    let message = if alts.is_empty() {
        format!("{} ist leider nichts frei, und in den Tagen danach auch nicht.", say::when(ctx.tz, wanted))
    } else {
        format!("{} ist leider belegt. Ich kann Ihnen {} anbieten.", say::when(ctx.tz, wanted), spoken(ctx, alts))
    };
    let offers: Vec<Value> = alts.iter().map(|s| offer(ctx, service, s)).collect();
    Answer::new(Status::Unavailable, message)
        .with("available", false)
        .with("service", service.name.clone())
        .with("alternatives", offers)
}

pub async fn check_availability(ctx: &Ctx<'_>) -> Result<Answer> {
    let service = need!(service(ctx).await);
    let staff_id = staff(ctx).await?;
    let when = wanted(ctx, DATE, TIME);
    let Some(date) = when.date.or_else(|| when.time.map(|_| ctx.now.with_timezone(&ctx.tz).date_naive())) else {
        return Ok(Answer::new(Status::NeedsInput, "An welchem Tag möchten Sie kommen?").with("service", service.name));
    };
    let resolved = say::fields(ctx.tz, midnight(ctx, date));
    if let Some(time) = when.time {
        let Some(at) = instant(ctx, date, time) else {
            return taken(ctx, &service, midnight(ctx, date), staff_id).await;
        };
        let read = around(ctx, &service, date, staff_id).await?;
        if let Some(slot) = read.slots.iter().find(|s| s.start == at) {
            let id = offer(ctx, &service, slot)["slot_id"].clone();
            let message = format!(
                "{} ist für {} frei. Soll ich den Termin für Sie eintragen?",
                say::when(ctx.tz, at),
                service.name
            );
            return Ok(Answer::new(Status::Ok, message)
                .with("available", true)
                .with("date", resolved["date"].clone())
                .with("time", time.format("%H:%M").to_string())
                .with("service", service.name.clone())
                .with("slot_id", id)
                .with("alternatives", Vec::<Value>::new()));
        }
        return Ok(taken_among(ctx, &service, at, staff_id, read)
            .await?
            .with("date", resolved["date"].clone())
            .with("time", time.format("%H:%M").to_string()));
    }
    // A day (perhaps a part of it) without a time: what is free then, else the next days.
    let calendar = ctx.app.calendar(&ctx.company).await?;
    let slots = free(ctx, calendar.as_ref(), &service, date, 7, staff_id).await?;
    let that_day: Vec<FreeSlot> = slots
        .iter()
        .filter(|s| say::local(ctx.tz, s.start).date_naive() == date && in_part(ctx, s, when.part))
        .take(2)
        .cloned()
        .collect();
    let (status, available, offered, message) = if that_day.is_empty() {
        let later: Vec<FreeSlot> = slots.iter().filter(|s| in_part(ctx, s, when.part)).take(2).cloned().collect();
        let message = if later.is_empty() {
            "An diesem Tag und in den Tagen danach ist leider nichts frei.".to_string()
        } else {
            format!("An diesem Tag ist leider nichts frei. Ich kann Ihnen {} anbieten.", spoken(ctx, &later))
        };
        (Status::Unavailable, false, later, message)
    } else {
        let message = format!("Für {} ist frei: {}. Was passt Ihnen?", service.name, spoken(ctx, &that_day));
        (Status::Ok, true, that_day, message)
    };
    let offers: Vec<Value> = offered.iter().map(|s| offer(ctx, &service, s)).collect();
    Ok(Answer::new(status, message)
        .with("available", available)
        .with("date", resolved["date"].clone())
        .with("time", "")
        .with("service", service.name)
        .with("alternatives", offers))
}

/// The customer the booking is for: by the number given or the caller's, with a name.
async fn customer(ctx: &Ctx<'_>) -> Result<Step<Customer>> {
    let country = ctx.company.country.parse()?;
    let given = ctx.args.text(&["customer_phone", "telefon", "phone_number", "phone"]);
    let phone = match given {
        Some(text) => match E164::parse(&text, country) {
            Ok(p) => p.as_str().to_string(),
            Err(_) => {
                return Ok(Err(Answer::new(
                    Status::NeedsInput,
                    "Die Telefonnummer habe ich nicht verstanden. Können Sie sie wiederholen?",
                )))
            }
        },
        None => match &ctx.from_number {
            Some(n) => n.clone(),
            None => {
                return Ok(Err(Answer::new(
                    Status::NeedsInput,
                    "Ihre Nummer ist unterdrückt. Unter welcher Nummer können wir Sie erreichen?",
                )))
            }
        },
    };
    let name = ctx.args.name(&["customer_name", "name", "kunde"]);
    let known = ctx.app.store.customer_by_phone(ctx.company.id, &phone).await?;
    if name.is_none() && known.as_ref().is_none_or(|c| c.name.is_none()) {
        return Ok(Err(Answer::new(Status::NeedsInput, "Auf welchen Namen darf ich den Termin eintragen?")));
    }
    Ok(Ok(ctx.app.store.upsert_customer(ctx.company.id, &phone, name.as_deref()).await?))
}

/// The slot a booking names: a `slot_id` askpro offered, or a service with an exact time.
async fn slot(ctx: &Ctx<'_>) -> Result<Step<(Service, i64, Option<i64>)>> {
    if let Some(text) = ctx.args.text(&["slot_id"]) {
        let Some(id) = SlotId::parse(&text) else {
            return Ok(Err(Answer::new(
                Status::NeedsInput,
                "Diesen Termin kenne ich nicht. Bitte fragen Sie zuerst die freien Zeiten ab.",
            )));
        };
        let found = ctx.app.store.service(id.service_id).await?;
        let Some(service) =
            found.filter(|s| s.company_id == ctx.company.id && s.branch_id.is_none_or(|b| b == ctx.branch.id))
        else {
            return Ok(Err(Answer::new(Status::NotFound, "Diesen Termin kenne ich nicht.")));
        };
        return Ok(Ok((service, id.start, id.staff_id)));
    }
    let service = step!(service(ctx).await);
    let staff_id = staff(ctx).await?;
    let when = match ctx.args.text(&["datetime", "start"]) {
        Some(text) => match chrono::DateTime::parse_from_rfc3339(&text) {
            Ok(at) => return Ok(Ok((service, at.timestamp_millis(), staff_id))),
            Err(_) => written(&text).unwrap_or_else(|| nlu::resolve_when(&text, &ctx.now, ctx.tz)),
        },
        None => wanted(ctx, DATE, TIME),
    };
    match (when.date, when.time) {
        (Some(date), Some(time)) => match instant(ctx, date, time) {
            Some(at) => Ok(Ok((service, at, staff_id))),
            None => {
                Ok(Err(Answer::new(Status::Unavailable, "Diese Uhrzeit gibt es an dem Tag nicht (Zeitumstellung).")))
            }
        },
        (None, _) => Ok(Err(Answer::new(Status::NeedsInput, "An welchem Tag möchten Sie kommen?"))),
        (_, None) => Ok(Err(Answer::new(Status::NeedsInput, "Um wie viel Uhr möchten Sie kommen?"))),
    }
}

/// The appointment this call already booked for `service` at `start`: a repeated or resumed
/// booking answers with it instead of booking the caller twice.
async fn booked_in_call(ctx: &Ctx<'_>, service: &Service, start: i64) -> Result<Option<Appointment>> {
    let made = ctx.app.store.call_appointments(ctx.company.id, &ctx.call_id).await?;
    Ok(made.into_iter().find(|a| a.service_id == Some(service.id) && a.starts_at == start))
}

/// Holds the slot the arguments name for this call; a taken slot answers with alternatives,
/// and one this call has booked already with its appointment.
async fn hold(ctx: &Ctx<'_>) -> Result<Step<(Service, Customer, i64)>> {
    let (service, start, staff_id) = step!(slot(ctx).await);
    if let Some(appointment) = booked_in_call(ctx, &service, start).await? {
        return Ok(Err(booked(ctx, &appointment)));
    }
    let customer = step!(customer(ctx).await);
    let calendar = ctx.app.calendar(&ctx.company).await?;
    let request = BookingRequest {
        branch: &ctx.branch,
        service: &service,
        start,
        staff_id,
        customer: &customer,
        call_id: &ctx.call_id,
        now: ctx.now.timestamp_millis(),
    };
    match calendar.hold(&request).await {
        Ok(_) => Ok(Ok((service, customer, start))),
        Err(e) if e.kind() == ErrorKind::Conflict => Ok(Err(taken(ctx, &service, start, staff_id).await?)),
        Err(e) => Err(e),
    }
}

pub async fn start_booking(ctx: &Ctx<'_>) -> Result<Answer> {
    let (service, _, start) = need!(hold(ctx).await);
    let message = format!(
        "Ich habe {} für {} vorgemerkt. Soll ich den Termin verbindlich buchen?",
        say::when(ctx.tz, start),
        service.name
    );
    let mut answer = Answer::new(Status::Ok, message)
        .with("service", service.name)
        .with("held_minutes", crate::calendar::HOLD_MINUTES);
    if let Value::Object(f) = say::fields(ctx.tz, start) {
        answer.data.extend(f);
    }
    Ok(answer)
}

fn booked(ctx: &Ctx<'_>, a: &Appointment) -> Answer {
    let service = a.service_name.clone().unwrap_or_else(|| "Ihr Termin".into());
    let with = a.staff_name.as_ref().map(|s| format!(" bei {s}")).unwrap_or_default();
    let message = format!("{service}{with} ist gebucht: {}.", say::when(ctx.tz, a.starts_at));
    let mut answer = Answer::new(Status::Ok, message)
        .with("appointment_id", a.id)
        .with("service", a.service_name.clone())
        .with("staff", a.staff_name.clone())
        .with("booking_uid", a.external_uid.clone());
    if let Value::Object(f) = say::fields(ctx.tz, a.starts_at) {
        answer.data.extend(f);
    }
    answer
}

pub async fn confirm_booking(ctx: &Ctx<'_>) -> Result<Answer> {
    let now = ctx.now.timestamp_millis();
    let hold = ctx.app.store.active_hold(ctx.company.id, &ctx.call_id, now).await?;
    let Some(hold) = hold else {
        // A run that died after booking (which releases the hold) but before answering: its
        // booking is the answer.
        if ctx.resumed {
            if let Some(made) = ctx.app.store.call_appointments(ctx.company.id, &ctx.call_id).await?.first() {
                return Ok(booked(ctx, made));
            }
        }
        return Ok(Answer::new(
            Status::NotFound,
            "Ich habe keinen vorgemerkten Termin mehr. Soll ich noch einmal nachsehen?",
        ));
    };
    let customer = match hold.customer_id {
        Some(id) => ctx.app.store.customer(ctx.company.id, id).await?,
        None => None,
    };
    let Some(customer) = customer else {
        return Ok(Answer::new(Status::NeedsInput, "Auf welchen Namen darf ich den Termin eintragen?"));
    };
    let calendar = ctx.app.calendar(&ctx.company).await?;
    match calendar.confirm(&ctx.call_id, &customer, now).await {
        Ok(a) => Ok(booked(ctx, &a)),
        Err(e) if e.kind() == ErrorKind::Conflict => {
            let service = ctx.app.store.service(hold.service_id.unwrap_or_default()).await?;
            match service {
                Some(s) => taken(ctx, &s, hold.starts_at, None).await,
                None => Ok(Answer::new(Status::Unavailable, "Der Termin ist leider gerade vergeben worden.")),
            }
        }
        Err(e) => Err(e),
    }
}

pub async fn book_appointment(ctx: &Ctx<'_>) -> Result<Answer> {
    need!(hold(ctx).await);
    confirm_booking(ctx).await
}

/// The caller's appointment the arguments point at; several without a choice asks back.
async fn pick(ctx: &Ctx<'_>, date: &[&str], time: &[&str]) -> Result<Step<Appointment>> {
    let Some(customer) = info::caller(ctx).await? else {
        return Ok(Err(Answer::new(Status::NotFound, "Unter Ihrer Nummer finde ich keinen Termin.")));
    };
    let upcoming = ctx.app.store.upcoming_appointments(ctx.company.id, customer.id, ctx.now.timestamp_millis()).await?;
    if upcoming.is_empty() {
        return Ok(Err(Answer::new(Status::NotFound, "Ich finde keinen anstehenden Termin von Ihnen.")));
    }
    let said = if ctx.args.text(date).is_some() || ctx.args.text(time).is_some() {
        Some(wanted(ctx, date, time))
    } else {
        None
    };
    let matching: Vec<&Appointment> = upcoming
        .iter()
        .filter(|a| {
            let t = say::local(ctx.tz, a.starts_at);
            said.is_none_or(|w| w.date.is_none_or(|d| d == t.date_naive()) && w.time.is_none_or(|h| h == t.time()))
        })
        .collect();
    match matching.as_slice() {
        [one] => Ok(Ok((*one).clone())),
        [] => Ok(Err(Answer::new(Status::NotFound, "Zu dieser Zeit finde ich keinen Termin von Ihnen.")
            .with("appointments", info::listed(ctx, &upcoming)))),
        several => {
            let list: Vec<Appointment> = several.iter().map(|a| (*a).clone()).collect();
            let options: Vec<String> = list.iter().map(|a| say::when(ctx.tz, a.starts_at)).collect();
            Ok(Err(Answer::new(Status::NeedsInput, format!("Welchen Termin meinen Sie: {}?", options.join(" oder ")))
                .with("appointments", info::listed(ctx, &list))))
        }
    }
}

pub async fn cancel_appointment(ctx: &Ctx<'_>) -> Result<Answer> {
    let appointment = need!(pick(ctx, DATE, TIME).await);
    let hours = ctx.company.cancellation_hours;
    let notice_ends = appointment.starts_at - hours * 3_600_000;
    if hours > 0 && ctx.now.timestamp_millis() > notice_ends {
        let reason = format!("Absagen sind nur bis {hours} Stunden vor dem Termin möglich.");
        return Ok(Answer::new(
            Status::PolicyDenied,
            format!("{reason} Bitte rufen Sie uns direkt an, wir finden eine Lösung."),
        )
        .with("reason", reason)
        .with("appointment_id", appointment.id));
    }
    let calendar = ctx.app.calendar(&ctx.company).await?;
    let cancelled = calendar.cancel(appointment.id, Some("vom Anrufer abgesagt"), ctx.now.timestamp_millis()).await?;
    Ok(Answer::new(Status::Ok, format!("Ihr Termin {} ist abgesagt.", say::when(ctx.tz, cancelled.starts_at)))
        .with("appointment_id", cancelled.id))
}

pub async fn reschedule_appointment(ctx: &Ctx<'_>) -> Result<Answer> {
    let appointment = need!(pick(ctx, &["old_datum", "old_date", "alter_termin"], &["old_uhrzeit", "old_time"]).await);
    let when = wanted(ctx, &["new_datum", "new_date", "neues_datum"], &["new_uhrzeit", "new_time", "neue_uhrzeit"]);
    let (Some(date), Some(time)) = (when.date, when.time) else {
        return Ok(Answer::new(
            Status::NeedsInput,
            "Auf welchen Tag und welche Uhrzeit möchten Sie den Termin verschieben?",
        ));
    };
    let Some(start) = instant(ctx, date, time) else {
        return Ok(Answer::new(Status::Unavailable, "Diese Uhrzeit gibt es an dem Tag nicht (Zeitumstellung)."));
    };
    let calendar = ctx.app.calendar(&ctx.company).await?;
    match calendar.reschedule(appointment.id, start, None, ctx.now.timestamp_millis()).await {
        Ok(moved) => {
            let mut answer = booked(ctx, &moved);
            answer.message = format!("Ihr Termin ist verschoben auf {}.", say::when(ctx.tz, moved.starts_at));
            Ok(answer)
        }
        Err(e) if e.kind() == ErrorKind::Conflict => {
            match ctx.app.store.service(appointment.service_id.unwrap_or_default()).await? {
                Some(s) => taken(ctx, &s, start, None).await,
                None => Ok(Answer::new(Status::Unavailable, "Zu dieser Zeit ist leider nichts frei.")),
            }
        }
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, NaiveTime};
    use proptest::prelude::*;

    use super::*;
    use crate::calendar::slots::{day_start, local_instant};

    const TZ: Tz = chrono_tz::Europe::Berlin;

    fn slot(start: i64) -> FreeSlot {
        FreeSlot { start, end: start + HALF_HOUR, staff_ids: vec![1] }
    }

    /// The instant of `minute` after midnight on the `k`-th day after `day`, if it exists.
    fn minute_of(day: NaiveDate, k: u64, minute: u32) -> Option<i64> {
        let date = day.checked_add_days(chrono::Days::new(k))?;
        local_instant(TZ, date, NaiveTime::from_hms_opt(minute / 60, minute % 60, 0)?)
    }

    proptest! {
        /// Whenever part of the week decides the alternatives, they are the ones the whole
        /// week gives — on ordinary days and across both of Berlin's clock changes.
        #[test]
        fn part_of_the_week_decides_as_the_whole_week_would(
            first in prop::sample::select(vec![(2026, 11, 23), (2026, 10, 22), (2026, 3, 26), (2026, 10, 25)]),
            free in prop::collection::btree_set((0u64..7, 0u32..96), 0..60),
            wanted_quarter in 28u32..80,
        ) {
            let day = NaiveDate::from_ymd_opt(first.0, first.1, first.2).unwrap();
            let mut week: Vec<FreeSlot> =
                free.iter().filter_map(|&(k, q)| minute_of(day, k, q * 15)).map(slot).collect();
            week.sort_by_key(|s| s.start);
            week.dedup_by_key(|s| s.start);
            let wanted = minute_of(day, 0, wanted_quarter * 15).unwrap();
            let next_day = day_start(TZ, day.succ_opt().unwrap()).unwrap();
            let on_day: Vec<FreeSlot> = week.iter().filter(|s| s.start < next_day).cloned().collect();
            let clock = say::local(TZ, wanted).time();
            let same_time: Vec<FreeSlot> = week
                .iter()
                .filter(|s| {
                    let t = say::local(TZ, s.start);
                    t.date_naive() > day && t.time() == clock
                })
                .cloned()
                .collect();
            let whole = alternatives(TZ, &week, wanted);
            if let Some(decided) = decided_alternatives(TZ, &on_day, &same_time, wanted, next_day) {
                prop_assert_eq!(decided, whole);
            }
        }
    }

    #[test]
    fn a_busy_day_with_free_evening_slots_is_decided_without_the_rest_of_the_week() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        let at = |k, h: u32, m: u32| minute_of(day, k, h * 60 + m).unwrap();
        let on_day = vec![slot(at(0, 17, 15)), slot(at(0, 17, 30))];
        let next_day = day_start(TZ, day.succ_opt().unwrap()).unwrap();
        let decided = decided_alternatives(TZ, &on_day, &[], at(0, 10, 0), next_day);
        assert_eq!(decided, Some(on_day.clone()));
        // The same time on a later day comes before the nearest of the asked-for day.
        let same_time = vec![slot(at(3, 10, 0))];
        let decided = decided_alternatives(TZ, &on_day, &same_time, at(0, 10, 0), next_day);
        assert_eq!(decided, Some(vec![same_time[0].clone(), on_day[0].clone()]));
        // Asked for the evening, the morning's slots are farther than the next day's first
        // minutes could be: the week is needed.
        let morning = vec![slot(at(0, 9, 0)), slot(at(0, 10, 0))];
        assert_eq!(decided_alternatives(TZ, &morning, &[], at(0, 20, 0), next_day), None);
        // One free slot on the day decides nothing about the second alternative.
        assert_eq!(decided_alternatives(TZ, &on_day[..1], &[], at(0, 10, 0), next_day), None);
    }
}
