//! Who is calling and how to greet them: caller recognition by number within one company, smart
//! prediction under the company's switches and thresholds, and the greeting for the situation.

use chrono::{DateTime, Datelike, TimeZone, Timelike, Utc};
use serde::Serialize;

use super::company::default_greeting;
use crate::app::App;
use crate::domain::{BusinessHours, Weekday};
use crate::error::{Error, Result};
use crate::nlu::predict;
use crate::store::{Branch, Company, Customer, GreetingKind};

/// What askpro knows about a caller before the first word.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CallerInsight {
    pub customer: Option<Customer>,
    pub predicted_service: Option<Named>,
    pub service_confidence: f64,
    pub preferred_staff: Option<Named>,
    pub staff_confidence: f64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Named {
    pub id: i64,
    pub name: String,
}

impl CallerInsight {
    pub fn is_known(&self) -> bool {
        self.customer.is_some()
    }
}

/// Looks the caller up by E.164 number within `company` and predicts what they want. A withheld
/// number (`None`) is a new caller: nothing is looked up by an empty number.
pub async fn recognise(app: &App, company: &Company, phone: Option<&str>, now_ms: i64) -> Result<CallerInsight> {
    let Some(phone) = phone.map(str::trim).filter(|p| !p.is_empty()) else {
        return Ok(CallerInsight::default());
    };
    let Some(customer) = app.store.customer_by_phone(company.id, phone).await? else {
        return Ok(CallerInsight::default());
    };
    let visits = app.store.customer_history(company.id, customer.id).await?;
    let guess = predict::predict(&visits, now_ms);
    let mut insight = CallerInsight { customer: Some(customer), ..Default::default() };
    if let Some(g) =
        guess.service.filter(|g| company.enable_smart_service && g.confidence >= company.service_confidence_threshold)
    {
        if let Some(service) = app.store.service(g.id).await?.filter(|s| s.company_id == company.id && s.active) {
            insight.predicted_service = Some(Named { id: service.id, name: service.name });
            insight.service_confidence = g.confidence;
        }
    }
    if let Some(g) =
        guess.staff.filter(|g| company.enable_staff_preferences && g.confidence >= company.staff_confidence_threshold)
    {
        if let Some(staff) = app.store.staff_member(g.id).await?.filter(|s| s.company_id == company.id && s.active) {
            insight.preferred_staff = Some(Named { id: staff.id, name: staff.name });
            insight.staff_confidence = g.confidence;
        }
    }
    Ok(insight)
}

/// The greeting for a call, and which situation chose it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Greeting {
    pub situation: &'static str,
    pub text: String,
}

/// Picks the company's template for the situation — after hours, returning caller with a
/// confident prediction, returning caller, new caller — and fills in its placeholders.
pub async fn greeting(
    app: &App,
    company: &Company,
    branch: &Branch,
    caller: &CallerInsight,
    now: DateTime<Utc>,
) -> Result<Greeting> {
    let name = caller.customer.as_ref().and_then(|c| c.name.clone()).filter(|n| !n.trim().is_empty());
    let kind = if !is_open(branch, now)? {
        GreetingKind::AfterHours
    } else if name.is_some() && caller.predicted_service.is_some() {
        GreetingKind::PersonalizedWithService
    } else if name.is_some() {
        GreetingKind::ReturningCustomer
    } else {
        GreetingKind::Default
    };
    let template = app
        .store
        .greetings(company.id)
        .await?
        .into_iter()
        .find(|g| g.kind == kind.as_str())
        .map(|g| g.template)
        .unwrap_or_else(|| default_greeting(kind).to_string());
    let service = caller.predicted_service.as_ref().map(|s| s.name.as_str()).unwrap_or("");
    let text = render(
        &template,
        &[
            ("customer_name", name.as_deref().unwrap_or("")),
            ("service", service),
            ("company", &company.name),
            ("branch", &branch.name),
        ],
    );
    Ok(Greeting { situation: kind.as_str(), text })
}

/// Whether the branch is open at `now`, read in the branch's zone.
pub fn is_open(branch: &Branch, now: DateTime<Utc>) -> Result<bool> {
    let tz: chrono_tz::Tz =
        branch.timezone.parse().map_err(|_| Error::internal(format!("branch {} has an invalid zone", branch.id)))?;
    let hours: serde_json::Value = serde_json::from_str(&branch.business_hours)?;
    let hours = BusinessHours::from_json(&hours)?;
    let local = tz.from_utc_datetime(&now.naive_utc());
    Ok(hours.is_open(Weekday(local.weekday().num_days_from_monday() as u8), local.hour() * 60 + local.minute()))
}

/// Replaces `{{ name }}` placeholders; unknown ones are left as they are.
pub fn render(template: &str, vars: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find("}}") {
            Some(end) => {
                let key = after[..end].trim();
                match vars.iter().find(|(k, _)| *k == key) {
                    Some((_, v)) => out.push_str(v),
                    None => out.push_str(&rest[start..start + 2 + end + 2]),
                }
                rest = &after[end + 2..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn renders_placeholders() {
        let vars = [("customer_name", "Frau Müller"), ("company", "Schnittpunkt")];
        assert_eq!(
            render("Hallo {{customer_name}}, hier ist {{ company }}.", &vars),
            "Hallo Frau Müller, hier ist Schnittpunkt."
        );
        assert_eq!(render("{{unknown}} and {{company", &vars), "{{unknown}} and {{company");
        assert_eq!(render("no placeholders", &vars), "no placeholders");
    }
}
