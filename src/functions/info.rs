//! Functions that read or note something: the current context, the caller, the services, the
//! caller's appointments, and callback requests.

use chrono::{Datelike, Timelike};
use serde_json::{json, Value};

use super::{Answer, Ctx, Status};
use crate::domain::say;
use crate::domain::{BusinessHours, Weekday};
use crate::error::Result;
use crate::ops::callers;
use crate::store::{Appointment, Customer, NewCallback};

pub fn current_context(ctx: &Ctx<'_>) -> Result<Answer> {
    let local = ctx.now.with_timezone(&ctx.tz);
    let hours = BusinessHours::parse_json(&ctx.branch.business_hours)?;
    let today = Weekday(local.weekday().num_days_from_monday() as u8);
    let open_today = say::hours_on(&hours, today);
    let weekday = say::WEEKDAYS[today.0 as usize];
    let message = format!(
        "Heute ist {weekday}, der {}, es ist {:02}:{:02} Uhr; geöffnet: {open_today}.",
        local.format("%d.%m.%Y"),
        local.hour(),
        local.minute()
    );
    Ok(Answer::new(Status::Ok, message)
        .with("date", local.format("%Y-%m-%d").to_string())
        .with("weekday", weekday)
        .with("time", local.format("%H:%M").to_string())
        .with("timezone", ctx.tz.name())
        .with("branch", ctx.branch.name.clone())
        .with("opening_hours_today", open_today))
}

/// The caller by number (never by an empty one), what they usually book, and what is coming up.
pub async fn check_customer(ctx: &Ctx<'_>) -> Result<Answer> {
    let now = ctx.now.timestamp_millis();
    let insight = callers::recognise(ctx.app, &ctx.company, ctx.from_number.as_deref(), now).await?;
    let Some(customer) = &insight.customer else {
        let message = if ctx.from_number.is_none() {
            "Die Nummer ist unterdrückt; bitte fragen Sie nach Name und Rückrufnummer."
        } else {
            "Der Anrufer ist neu bei uns."
        };
        return Ok(Answer::new(Status::Ok, message).with("customer_found", false));
    };
    let upcoming = ctx.app.store.upcoming_appointments(ctx.company.id, customer.id, now).await?;
    let name = customer.name.clone().unwrap_or_default();
    let mut message =
        if name.is_empty() { "Der Anrufer ist bekannt.".to_string() } else { format!("Der Anrufer ist {name}.") };
    if let Some(service) = &insight.predicted_service {
        message.push_str(&format!(" Meist bucht er oder sie {}.", service.name));
    }
    Ok(Answer::new(Status::Ok, message)
        .with("customer_found", true)
        .with("customer_name", name)
        .with("predicted_service", insight.predicted_service.as_ref().map(|s| s.name.clone()))
        .with("service_confidence", insight.service_confidence)
        .with("preferred_staff", insight.preferred_staff.as_ref().map(|s| s.name.clone()))
        .with("upcoming_appointments", listed(ctx, &upcoming)))
}

pub async fn services(ctx: &Ctx<'_>) -> Result<Answer> {
    let services = ctx.app.store.services(ctx.company.id, Some(ctx.branch.id)).await?;
    let list: Vec<Value> = services
        .iter()
        .filter(|s| s.active)
        .map(|s| json!({"name": s.name, "duration_minutes": s.duration_min, "price_eur": s.price_cents.map(|c| c as f64 / 100.0)}))
        .collect();
    let names: Vec<&str> = services.iter().filter(|s| s.active).map(|s| s.name.as_str()).collect();
    let message = match names.len() {
        0 => "Es sind noch keine Leistungen hinterlegt.".to_string(),
        _ => format!("Wir bieten an: {}.", names.join(", ")),
    };
    Ok(Answer::new(Status::Ok, message).with("services", list))
}

/// The caller, found by number; `None` for a withheld or unknown number.
pub async fn caller(ctx: &Ctx<'_>) -> Result<Option<Customer>> {
    match &ctx.from_number {
        Some(number) => ctx.app.store.customer_by_phone(ctx.company.id, number).await,
        None => Ok(None),
    }
}

pub fn listed(ctx: &Ctx<'_>, list: &[Appointment]) -> Vec<Value> {
    list.iter()
        .map(|a| {
            let mut v = say::fields(ctx.tz, a.starts_at);
            v["appointment_id"] = a.id.into();
            v["service"] = a.service_name.clone().into();
            v["staff"] = a.staff_name.clone().into();
            v
        })
        .collect()
}

pub async fn appointments(ctx: &Ctx<'_>) -> Result<Answer> {
    let Some(customer) = caller(ctx).await? else {
        return Ok(Answer::new(Status::NotFound, "Unter dieser Nummer finde ich keine Termine.")
            .with("appointments", json!([])));
    };
    let upcoming = ctx.app.store.upcoming_appointments(ctx.company.id, customer.id, ctx.now.timestamp_millis()).await?;
    let spoken: Vec<String> = upcoming
        .iter()
        .map(|a| {
            format!("{} {}", a.service_name.clone().unwrap_or_else(|| "Termin".into()), say::when(ctx.tz, a.starts_at))
        })
        .collect();
    let message = match spoken.len() {
        0 => "Ich finde keine anstehenden Termine.".to_string(),
        1 => format!("Sie haben einen Termin: {}.", spoken[0]),
        n => format!("Sie haben {n} Termine: {}.", spoken.join("; ")),
    };
    Ok(Answer::new(Status::Ok, message).with("appointments", listed(ctx, &upcoming)))
}

/// Records the callback and queues a notification on each of the company's channels.
pub async fn request_callback(ctx: &Ctx<'_>) -> Result<Answer> {
    let phone = ctx.args.text(&["phone_number", "customer_phone", "telefon"]).or(ctx.from_number.clone());
    let Some(phone) = phone else {
        return Ok(Answer::new(Status::NeedsInput, "Unter welcher Nummer dürfen wir Sie zurückrufen?"));
    };
    let name = ctx.args.name(&["customer_name", "name"]);
    let reason = ctx.args.note(&["reason", "grund", "anliegen"]);
    let callback = NewCallback {
        branch_id: Some(ctx.branch.id),
        call_id: Some(ctx.call_id.clone()),
        customer_name: name.clone(),
        phone: Some(phone.clone()),
        reason: reason.clone(),
    };
    let id = ctx.app.store.insert_callback(ctx.company.id, &callback).await?;
    let subject = format!("Rückrufbitte von {}", name.clone().unwrap_or_else(|| phone.clone()));
    let body = format!("{} ({phone}): {}", name.unwrap_or_default(), reason.unwrap_or_else(|| "ohne Angabe".into()));
    for channel in ctx.company.callback_channels.split(',').map(str::trim).filter(|c| !c.is_empty()) {
        let target = match channel {
            "email" => ctx.company.callback_email.clone().or(ctx.branch.notify_email.clone()),
            "sms" => ctx.branch.notify_sms_phone.clone(),
            "whatsapp" => ctx.branch.notify_whatsapp.clone(),
            "portal" => Some(format!("branch:{}", ctx.branch.id)),
            _ => None,
        };
        if let Some(target) = target {
            ctx.app.store.queue_notification(ctx.company.id, channel, &target, &subject, &body).await?;
        }
    }
    Ok(Answer::new(Status::Ok, "Wir rufen Sie so bald wie möglich zurück.").with("callback_id", id))
}
