//! What the calendar holds, for people: a branch's appointments on a day and a staff member's
//! working hours and bookings on a day (`debug:appointments`, `debug:working-hours`), all in the
//! branch's zone.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use super::{branch, staff};
use crate::app::App;
use crate::calendar::working_shifts;
use crate::domain::{BusinessHours, Weekday};
use crate::error::{Error, Result};
use crate::nlu;
use crate::store::{Appointment, Branch};

/// An appointment with its times on the branch's wall clock.
#[derive(Debug, Serialize)]
pub struct LocalAppointment {
    pub date: String,
    pub start: String,
    pub end: String,
    #[serde(flatten)]
    pub appointment: Appointment,
}

#[derive(Debug, Serialize)]
pub struct Day {
    pub branch_id: i64,
    pub date: NaiveDate,
    pub timezone: String,
    pub appointments: Vec<LocalAppointment>,
}

/// `debug:appointments`: every appointment of the branch starting on the local day.
pub async fn appointments(app: &App, branch_id: i64, date: Option<&str>) -> Result<Day> {
    let branch = branch::get(app, branch_id).await?;
    let (tz, date) = day_of(&branch, date)?;
    let (from, to) = bounds(tz, date)?;
    let list = app.store.appointments(branch.company_id, branch.id, from, to).await?;
    Ok(Day { branch_id, date, timezone: branch.timezone.clone(), appointments: localise(tz, list) })
}

#[derive(Debug, Serialize)]
pub struct Shift {
    pub open: String,
    pub close: String,
}

#[derive(Debug, Serialize)]
pub struct WorkingDay {
    pub staff_id: i64,
    pub name: String,
    pub date: NaiveDate,
    pub timezone: String,
    /// `own` when the staff member has hours of their own (narrowed to the branch's), else `branch`.
    pub hours_from: &'static str,
    pub shifts: Vec<Shift>,
    pub appointments: Vec<LocalAppointment>,
}

/// `debug:working-hours`: when the staff member works on the local day, and their bookings.
pub async fn working_hours(app: &App, staff_id: i64, date: Option<&str>) -> Result<WorkingDay> {
    let member = staff::get(app, staff_id).await?;
    let branch = branch::get(app, member.branch_id).await?;
    let (tz, date) = day_of(&branch, date)?;
    let branch_hours = BusinessHours::parse_json(&branch.business_hours)?;
    let own = member.working_hours.as_deref().map(BusinessHours::parse_json).transpose()?;
    let weekday = Weekday(date.weekday().num_days_from_monday() as u8);
    let shifts = working_shifts(&branch_hours, own.as_ref(), weekday)
        .into_iter()
        .map(|(open, close)| Shift { open: hhmm(open), close: hhmm(close) })
        .collect();
    let (from, to) = bounds(tz, date)?;
    let list = app.store.staff_appointments(branch.company_id, member.id, from, to).await?;
    Ok(WorkingDay {
        staff_id,
        name: member.name,
        date,
        timezone: branch.timezone.clone(),
        hours_from: if own.is_some() { "own" } else { "branch" },
        shifts,
        appointments: localise(tz, list),
    })
}

/// The branch's zone and the day asked for: `YYYY-MM-DD`, anything `nlu:when` understands
/// ("morgen", "Freitag"), or today.
fn day_of(branch: &Branch, date: Option<&str>) -> Result<(Tz, NaiveDate)> {
    let tz: Tz =
        branch.timezone.parse().map_err(|_| Error::internal(format!("branch {} has an invalid zone", branch.id)))?;
    let now = Utc::now().with_timezone(&tz);
    let Some(text) = date.map(str::trim).filter(|t| !t.is_empty()) else { return Ok((tz, now.date_naive())) };
    if let Ok(d) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok((tz, d));
    }
    nlu::resolve_when(text, &now.fixed_offset(), tz).date.map(|d| (tz, d)).ok_or_else(|| {
        Error::invalid(format!("--date '{text}' is not a date")).with_help("use YYYY-MM-DD, or a word such as 'morgen'")
    })
}

/// The UTC milliseconds of a local day's first instant and the next day's.
fn bounds(tz: Tz, date: NaiveDate) -> Result<(i64, i64)> {
    let start = |d: NaiveDate| {
        crate::calendar::slots::day_start(tz, d).ok_or_else(|| Error::invalid(format!("{d} is out of range in {tz}")))
    };
    let next = date.succ_opt().ok_or_else(|| Error::invalid(format!("{date} is out of range")))?;
    Ok((start(date)?, start(next)?))
}

fn localise(tz: Tz, list: Vec<Appointment>) -> Vec<LocalAppointment> {
    let local = |ms: i64| DateTime::<Utc>::from_timestamp_millis(ms).unwrap_or_default().with_timezone(&tz);
    list.into_iter()
        .map(|a| LocalAppointment {
            date: local(a.starts_at).format("%Y-%m-%d").to_string(),
            start: local(a.starts_at).format("%H:%M").to_string(),
            end: local(a.ends_at).format("%H:%M").to_string(),
            appointment: a,
        })
        .collect()
}

fn hhmm(minutes: u32) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}
