//! Industry presets (`templates/industries/*.toml`), embedded in the binaries.

pub mod tools;

use serde::{Deserialize, Serialize};

use crate::domain::BusinessHours;
use crate::error::{Error, Result};

const SOURCES: &[(&str, &str)] = &[
    ("friseur", include_str!("../templates/industries/friseur.toml")),
    ("physiotherapie", include_str!("../templates/industries/physiotherapie.toml")),
    ("kosmetikstudio", include_str!("../templates/industries/kosmetikstudio.toml")),
    ("medical", include_str!("../templates/industries/medical.toml")),
    ("beauty", include_str!("../templates/industries/beauty.toml")),
    ("legal", include_str!("../templates/industries/legal.toml")),
    ("fitness", include_str!("../templates/industries/fitness.toml")),
    ("automotive", include_str!("../templates/industries/automotive.toml")),
];

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Industry {
    pub key: String,
    pub name: String,
    pub agent_template: String,
    pub callback_channels: Vec<String>,
    pub enable_smart_service: bool,
    pub service_confidence_threshold: f64,
    pub enable_staff_preferences: bool,
    pub staff_confidence_threshold: f64,
    pub cancellation_hours: i64,
    pub business_hours: toml::Table,
    pub services: Vec<IndustryService>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct IndustryService {
    pub name: String,
    pub duration: i64,
    pub price: f64,
    #[serde(default)]
    pub synonyms: Vec<String>,
}

impl Industry {
    /// Every preset, in a stable order.
    pub fn all() -> Vec<Industry> {
        SOURCES.iter().map(|(key, text)| parse(key, text)).collect()
    }

    /// The preset for `key`, or an error that lists the known keys.
    pub fn get(key: &str) -> Result<Industry> {
        let wanted = key.trim().to_lowercase();
        SOURCES.iter().find(|(k, _)| *k == wanted).map(|(k, text)| parse(k, text)).ok_or_else(|| {
            let keys: Vec<&str> = SOURCES.iter().map(|(k, _)| *k).collect();
            Error::invalid(format!("unknown industry '{key}'")).with_help(format!("use one of: {}", keys.join(", ")))
        })
    }

    pub fn hours(&self) -> BusinessHours {
        let value = serde_json::to_value(&self.business_hours).expect("toml table converts to JSON");
        BusinessHours::from_json(&value).expect("preset hours are valid (checked by a test)")
    }
}

fn parse(key: &str, text: &str) -> Industry {
    toml::from_str(text).unwrap_or_else(|e| panic!("templates/industries/{key}.toml is invalid: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Weekday;

    #[test]
    fn every_preset_parses_and_is_consistent() {
        let all = Industry::all();
        assert_eq!(all.len(), 8);
        for industry in &all {
            let hours = industry.hours();
            assert!((0..7).any(|d| !hours.shifts(Weekday(d)).is_empty()), "{} has no opening hours", industry.key);
            assert!(!industry.services.is_empty(), "{}", industry.key);
            assert!((0.0..=1.0).contains(&industry.service_confidence_threshold));
            for s in &industry.services {
                assert!(s.duration > 0 && s.price >= 0.0, "{}: {}", industry.key, s.name);
            }
        }
    }

    #[test]
    fn seed_presets_match_the_spec() {
        let friseur = Industry::get("friseur").unwrap();
        assert_eq!(friseur.callback_channels, ["email", "sms", "portal"]);
        assert_eq!(
            friseur.hours().summary(),
            "Mon 09:00–18:00, Tue 09:00–18:00, Wed 09:00–18:00, Thu 09:00–18:00, Fri 09:00–18:00, Sat 09:00–16:00"
        );
        let herren = friseur.services.iter().find(|s| s.name == "Herrenhaarschnitt").unwrap();
        assert_eq!((herren.duration, herren.price), (30, 25.0));
        let physio = Industry::get("Physiotherapie").unwrap();
        assert_eq!((physio.cancellation_hours, physio.service_confidence_threshold), (24, 0.9));
        assert!(!physio.callback_channels.contains(&"sms".to_string()));
        let kosmetik = Industry::get("kosmetikstudio").unwrap();
        assert!(!kosmetik.enable_staff_preferences);
        assert_eq!(kosmetik.service_confidence_threshold, 0.7);
        assert!(Industry::get("bakery").unwrap_err().help().unwrap().contains("friseur"));
    }
}
