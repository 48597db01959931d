//! Industry presets: everything a new business of a kind starts with — settings, opening hours,
//! services with synonyms, staff roles, greetings and the agent template to clone.
//!
//! The built-in presets (`templates/industries/*.toml`) are embedded in the binaries; an operator
//! may bring a preset file of their own (`--industry ./my-preset.toml`), read by [`Industry::load`]
//! and held to the same rules ([`Industry::validate`]) that a test applies to the built-in ones.

pub mod tools;

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::domain::{name_key, BusinessHours, Weekday};
use crate::error::{Error, Result};
use crate::store::GreetingKind;

/// The agent templates a preset may name (`retell:clone-agent --from`).
pub const AGENT_TEMPLATES: [&str; 2] = ["booking-de", "booking-de-llm"];
/// The largest preset file read.
pub const MAX_PRESET_BYTES: u64 = 256 << 10;
/// A service's longest duration, as `service:create` allows.
const MAX_DURATION_MIN: i64 = 1440;
const MAX_PRICE_EUR: f64 = 100_000.0;
/// Synonyms per service in a preset (longer lists: `service:import-synonyms`).
const MAX_SYNONYMS_PER_SERVICE: usize = 200;

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

/// The callback channels a preset may name (as `company:config --callback-channels`).
pub const CHANNELS: [&str; 4] = ["email", "sms", "whatsapp", "portal"];

/// A role's `services` entry that stands for every service of the preset.
pub const ALL_SERVICES: &str = "*";

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Industry {
    pub key: String,
    pub name: String,
    #[serde(default = "default_agent_template")]
    pub agent_template: String,
    #[serde(default = "default_channels")]
    pub callback_channels: Vec<String>,
    #[serde(default = "yes")]
    pub enable_smart_service: bool,
    #[serde(default = "default_threshold")]
    pub service_confidence_threshold: f64,
    #[serde(default = "yes")]
    pub enable_staff_preferences: bool,
    #[serde(default = "default_threshold")]
    pub staff_confidence_threshold: f64,
    #[serde(default)]
    pub cancellation_hours: i64,
    pub business_hours: toml::Table,
    pub services: Vec<IndustryService>,
    #[serde(default)]
    pub staff_roles: Vec<StaffRole>,
    #[serde(default)]
    pub greetings: Greetings,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct IndustryService {
    pub name: String,
    pub duration: i64,
    #[serde(default)]
    pub price: f64,
    #[serde(default)]
    pub synonyms: Vec<String>,
}

/// A kind of staff member and the services they offer: service names of the preset, or `["*"]`
/// for all of them.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct StaffRole {
    pub name: String,
    pub services: Vec<String>,
}

/// Greeting templates per situation, as `company:greeting --type` sets them; an absent one
/// leaves askpro's built-in greeting for that situation.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Greetings {
    pub default: Option<String>,
    pub returning_customer: Option<String>,
    pub personalized_with_service: Option<String>,
    pub after_hours: Option<String>,
}

impl Greetings {
    /// The template for `kind`, if the preset has one.
    pub fn get(&self, kind: GreetingKind) -> Option<&str> {
        match kind {
            GreetingKind::Default => self.default.as_deref(),
            GreetingKind::ReturningCustomer => self.returning_customer.as_deref(),
            GreetingKind::PersonalizedWithService => self.personalized_with_service.as_deref(),
            GreetingKind::AfterHours => self.after_hours.as_deref(),
        }
    }

    /// The preset's templates, in [`GreetingKind::ALL`] order.
    pub fn iter(&self) -> impl Iterator<Item = (GreetingKind, &str)> {
        GreetingKind::ALL.into_iter().filter_map(|kind| self.get(kind).map(|t| (kind, t)))
    }
}

fn default_agent_template() -> String {
    "booking-de".into()
}
fn default_channels() -> Vec<String> {
    vec!["email".into()]
}
fn yes() -> bool {
    true
}
fn default_threshold() -> f64 {
    0.8
}

impl Industry {
    /// Every built-in preset, in a stable order.
    pub fn all() -> Vec<Industry> {
        SOURCES.iter().map(|(key, text)| parse(key, text)).collect()
    }

    /// The built-in presets' keys, in the order of [`Industry::all`].
    pub fn keys() -> Vec<&'static str> {
        SOURCES.iter().map(|(k, _)| *k).collect()
    }

    /// The built-in preset for `key` (any case), or an error that lists the known keys.
    pub fn get(key: &str) -> Result<Industry> {
        let wanted = key.trim().to_lowercase();
        SOURCES.iter().find(|(k, _)| *k == wanted).map(|(k, text)| parse(k, text)).ok_or_else(|| {
            Error::invalid(format!("unknown industry '{key}'")).with_help(format!(
                "use one of: {}; or a preset file (a path ending in .toml)",
                Self::keys().join(", ")
            ))
        })
    }

    /// A built-in preset by key (as [`Industry::get`]), or a preset file: anything containing
    /// '/' or ending in `.toml` is read as a path, parsed and [validated](Industry::validate).
    /// A file may not reuse a built-in key: a company keeps only the key, and it must keep
    /// meaning that file's preset, not the built-in one.
    pub fn load(key_or_path: &str) -> Result<Industry> {
        let arg = key_or_path.trim();
        if !(arg.contains('/') || arg.contains(std::path::MAIN_SEPARATOR) || arg.ends_with(".toml")) {
            return Self::get(arg);
        }
        let path = Path::new(arg);
        let unreadable = |e: std::io::Error| Error::invalid(format!("cannot read preset file '{arg}'")).with_source(e);
        // Only a regular file of bounded size: `/dev/zero` or a FIFO would be read forever.
        let meta = std::fs::metadata(path).map_err(unreadable)?;
        if !meta.is_file() {
            return Err(Error::invalid(format!("preset file '{arg}' is not a regular file")));
        }
        if meta.len() > MAX_PRESET_BYTES {
            return Err(Error::invalid(format!(
                "preset file '{arg}' is {} bytes; a preset is at most {MAX_PRESET_BYTES}",
                meta.len()
            )));
        }
        let mut text = String::new();
        std::io::Read::read_to_string(
            &mut std::io::Read::take(std::fs::File::open(path).map_err(unreadable)?, MAX_PRESET_BYTES),
            &mut text,
        )
        .map_err(unreadable)?;
        let industry: Industry = toml::from_str(&text).map_err(|e| {
            let at = e.span().map(|s| format!(" line {}", line_of(&text, s.start))).unwrap_or_default();
            let message = e.message().trim().replace('\n', " ");
            Error::invalid(format!("preset file '{arg}'{at}: {message}"))
                .with_help("`askpro templates:show friseur` shows a complete preset to start from")
        })?;
        let in_file = |e: Error| {
            let err = Error::invalid(format!("preset file '{arg}': {}", e.message()));
            match e.help() {
                Some(help) => err.with_help(help.to_string()),
                None => err,
            }
        };
        industry.validate().map_err(in_file)?;
        if Self::keys().contains(&industry.key.as_str()) {
            return Err(in_file(
                Error::invalid(format!("key '{}' is a built-in preset's", industry.key))
                    .with_help("give the file's preset a key of its own, e.g. key = \"my-salon\""),
            ));
        }
        Ok(industry)
    }

    /// The preset's opening hours.
    pub fn hours(&self) -> Result<BusinessHours> {
        let value = serde_json::to_value(&self.business_hours)?;
        BusinessHours::from_json(&value)
    }

    /// The services a role offers, in the preset's order (`*` stands for all of them).
    pub fn role_services(&self, role: &StaffRole) -> Vec<&IndustryService> {
        if role.services.iter().any(|s| s.trim() == ALL_SERVICES) {
            return self.services.iter().collect();
        }
        let wanted: Vec<String> = role.services.iter().map(|s| name_key(s)).collect();
        self.services.iter().filter(|s| wanted.contains(&name_key(&s.name))).collect()
    }

    /// Checks everything onboarding relies on; the error names the service, role, day or
    /// setting at fault.
    pub fn validate(&self) -> Result<()> {
        let key_ok = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-';
        if self.key.is_empty() || !self.key.chars().all(key_ok) {
            return Err(Error::invalid(format!("key '{}' must be lowercase letters, digits, '-' or '_'", self.key)));
        }
        if self.name.trim().is_empty() {
            return Err(Error::invalid("name must not be empty"));
        }
        if !AGENT_TEMPLATES.contains(&self.agent_template.as_str()) {
            return Err(Error::invalid(format!(
                "agent_template '{}' is not one of askpro's agent templates: {}",
                self.agent_template,
                AGENT_TEMPLATES.join(", ")
            )));
        }
        let hours = self.hours()?;
        if (0..7).all(|d| hours.shifts(Weekday(d)).is_empty()) {
            return Err(Error::invalid("business hours: no day is open")
                .with_help("e.g. [business_hours] monday = { open = \"09:00\", close = \"18:00\" }"));
        }
        for channel in &self.callback_channels {
            if !CHANNELS.contains(&channel.as_str()) {
                return Err(Error::invalid(format!("unknown callback channel '{channel}'"))
                    .with_help(format!("use {}", CHANNELS.join(", "))));
            }
        }
        for (field, value) in [
            ("service_confidence_threshold", self.service_confidence_threshold),
            ("staff_confidence_threshold", self.staff_confidence_threshold),
        ] {
            if !(0.0..=1.0).contains(&value) {
                return Err(Error::invalid(format!("{field} must be between 0 and 1, not {value}")));
            }
        }
        if self.cancellation_hours < 0 {
            return Err(Error::invalid(format!(
                "cancellation_hours must not be negative, not {}",
                self.cancellation_hours
            )));
        }
        self.validate_services()?;
        self.validate_roles()?;
        for (kind, template) in self.greetings.iter() {
            crate::ops::company::validate_template(template).map_err(|e| {
                let what = e.message().replace("--template ", "");
                Error::invalid(format!("greetings.{}: {what}", kind.as_str()))
                    .with_help("use {{customer_name}}, {{service}}, {{company}} or {{branch}}")
            })?;
        }
        Ok(())
    }

    fn validate_services(&self) -> Result<()> {
        if self.services.is_empty() {
            return Err(Error::invalid("no services: a preset needs at least one [[services]]"));
        }
        // Service names by their matching key, to find duplicates and synonyms that name another.
        let mut names: HashMap<String, &str> = HashMap::new();
        for s in &self.services {
            let name = s.name.trim();
            if name.is_empty() {
                return Err(Error::invalid("a service has an empty name"));
            }
            if let Some(other) = names.insert(name_key(name), name) {
                return Err(Error::invalid(format!("service '{name}' is listed twice (as '{other}' too)")));
            }
            if !(1..=MAX_DURATION_MIN).contains(&s.duration) {
                return Err(Error::invalid(format!(
                    "service '{name}': duration must be 1–{MAX_DURATION_MIN} minutes, not {}",
                    s.duration
                )));
            }
            if !(0.0..=MAX_PRICE_EUR).contains(&s.price) {
                return Err(Error::invalid(format!(
                    "service '{name}': price must be 0–{MAX_PRICE_EUR} EUR, not {}",
                    s.price
                )));
            }
            if s.synonyms.len() > MAX_SYNONYMS_PER_SERVICE {
                return Err(Error::invalid(format!(
                    "service '{name}': {} synonyms, at most {MAX_SYNONYMS_PER_SERVICE} in a preset",
                    s.synonyms.len()
                ))
                .with_help("import long synonym lists with `askpro service:import-synonyms`"));
            }
        }
        let mut synonyms: HashMap<String, &str> = HashMap::new();
        for s in &self.services {
            for synonym in &s.synonyms {
                let key = name_key(synonym);
                if key.is_empty() {
                    return Err(Error::invalid(format!("service '{}': a synonym is empty", s.name)));
                }
                if let Some(other) = names.get(&key).filter(|other| name_key(other) != name_key(&s.name)) {
                    return Err(Error::invalid(format!(
                        "service '{}': synonym '{synonym}' is the name of service '{other}'",
                        s.name
                    )));
                }
                if let Some(other) = synonyms.insert(key, &s.name).filter(|other| name_key(other) != name_key(&s.name))
                {
                    return Err(Error::invalid(format!(
                        "synonym '{synonym}' is listed for services '{other}' and '{}'",
                        s.name
                    )));
                }
            }
        }
        Ok(())
    }

    fn validate_roles(&self) -> Result<()> {
        let mut seen = Vec::new();
        for role in &self.staff_roles {
            let name = role.name.trim();
            if name.is_empty() {
                return Err(Error::invalid("a staff role has an empty name"));
            }
            if seen.contains(&name_key(name)) {
                return Err(Error::invalid(format!("staff role '{name}' is listed twice")));
            }
            seen.push(name_key(name));
            if role.services.is_empty() {
                return Err(Error::invalid(format!("staff role '{name}' offers no services"))
                    .with_help("list service names, or services = [\"*\"] for all"));
            }
            for wanted in &role.services {
                let known = wanted.trim() == ALL_SERVICES
                    || self.services.iter().any(|s| name_key(&s.name) == name_key(wanted));
                if !known {
                    let list: Vec<&str> = self.services.iter().map(|s| s.name.as_str()).collect();
                    return Err(Error::invalid(format!("staff role '{name}' names unknown service '{wanted}'"))
                        .with_help(format!("the preset's services: {}; or \"*\" for all", list.join(", "))));
                }
            }
        }
        Ok(())
    }
}

fn parse(key: &str, text: &str) -> Industry {
    toml::from_str(text).unwrap_or_else(|e| panic!("templates/industries/{key}.toml is invalid: {e}"))
}

/// The 1-based line of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())].iter().filter(|b| **b == b'\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_preset_is_valid_and_complete() {
        let all = Industry::all();
        assert_eq!(all.len(), 8);
        assert_eq!(all.iter().map(|i| i.key.as_str()).collect::<Vec<_>>(), Industry::keys());
        for industry in &all {
            let key = &industry.key;
            industry.validate().unwrap_or_else(|e| panic!("{key}: {e}"));
            assert!(!industry.staff_roles.is_empty(), "{key} has no staff roles");
            for service in &industry.services {
                let offered = industry
                    .staff_roles
                    .iter()
                    .any(|r| industry.role_services(r).iter().any(|s| s.name == service.name));
                assert!(offered, "{key}: no staff role offers '{}'", service.name);
            }
            for kind in GreetingKind::ALL {
                assert!(industry.greetings.get(kind).is_some(), "{key} lacks the {} greeting", kind.as_str());
            }
        }
    }

    #[test]
    fn seed_presets_match_the_spec() {
        let friseur = Industry::get("friseur").unwrap();
        assert_eq!(friseur.callback_channels, ["email", "sms", "portal"]);
        assert_eq!(
            friseur.hours().unwrap().summary(),
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

    #[test]
    fn role_services_resolves_the_star_and_names_in_any_case() {
        let friseur = Industry::get("friseur").unwrap();
        let all = StaffRole { name: "A".into(), services: vec!["*".into()] };
        assert_eq!(friseur.role_services(&all).len(), friseur.services.len());
        let some = StaffRole { name: "B".into(), services: vec!["färben".into(), "Bart  trimmen".into()] };
        let names: Vec<&str> = friseur.role_services(&some).iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["Bart trimmen", "Färben"], "in the preset's order");
    }

    const MINIMAL: &str = r#"
key = "nagelstudio"
name = "Nagelstudio"
[business_hours]
monday = { open = "10:00", close = "18:00" }
[[services]]
name = "Maniküre"
duration = 45
price = 30.0
synonyms = ["Nägel machen"]
"#;

    fn file(dir: &tempfile::TempDir, text: &str) -> String {
        let path = dir.path().join("preset.toml");
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    }

    /// Loads `text` from a file and returns the exit code and the message plus help.
    fn load_error(text: &str) -> String {
        let dir = tempfile::tempdir().unwrap();
        let path = file(&dir, text);
        let err = Industry::load(&path).expect_err("the file is invalid");
        assert_eq!(err.exit_code(), 2, "{err}");
        assert!(err.message().contains(&path), "names the file: {err}");
        format!("{} / {}", err.message(), err.help().unwrap_or(""))
    }

    #[test]
    fn a_minimal_preset_file_loads_with_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let industry = Industry::load(&file(&dir, MINIMAL)).unwrap();
        assert_eq!((industry.key.as_str(), industry.agent_template.as_str()), ("nagelstudio", "booking-de"));
        assert_eq!(industry.callback_channels, ["email"]);
        assert_eq!((industry.service_confidence_threshold, industry.cancellation_hours), (0.8, 0));
        assert!(industry.staff_roles.is_empty() && industry.greetings.get(GreetingKind::Default).is_none());
        assert_eq!(industry.hours().unwrap().summary(), "Mon 10:00–18:00");
        // A key is a key, not a path; a relative path with '/' is a path.
        assert_eq!(Industry::load(" FRISEUR ").unwrap().key, "friseur");
        let full = format!(
            "{MINIMAL}\n[[staff_roles]]\nname = \"Nageldesigner/in\"\nservices = [\"maniküre\"]\n\
             [greetings]\nafter_hours = \"Hier ist {{{{company}}}}, wir haben geschlossen.\"\n"
        );
        let industry = Industry::load(&file(&dir, &full)).unwrap();
        assert_eq!(industry.role_services(&industry.staff_roles[0])[0].name, "Maniküre");
        assert!(industry.greetings.get(GreetingKind::AfterHours).unwrap().contains("{{company}}"));
    }

    #[test]
    fn bad_preset_files_are_refused_with_the_problem_named() {
        let e = load_error(&format!("{MINIMAL}\ncolour = \"red\"\n"));
        assert!(e.contains("line 12") && e.contains("unknown field `colour`"), "{e}");
        let e = load_error(&MINIMAL.replace("\"18:00\"", "\"25:00\""));
        assert!(e.contains("25:00") || e.contains("monday"), "{e}");
        let e = load_error(&MINIMAL.replace("monday", "moonday"));
        assert!(e.contains("unknown day 'moonday'"), "{e}");
        let e = load_error(&format!("{MINIMAL}[[staff_roles]]\nname = \"Stylist\"\nservices = [\"Pediküre\"]\n"));
        assert!(e.contains("staff role 'Stylist' names unknown service 'Pediküre'") && e.contains("Maniküre"), "{e}");
        let e = load_error(&format!("{MINIMAL}[[services]]\nname = \"MANIKÜRE\"\nduration = 30\n"));
        assert!(e.contains("service 'MANIKÜRE' is listed twice"), "{e}");
        let e = load_error(&MINIMAL.replace("duration = 45", "duration = 0"));
        assert!(e.contains("service 'Maniküre': duration must be 1–1440 minutes, not 0"), "{e}");
        let e = load_error(&MINIMAL.replace("duration = 45", "duration = 100000"));
        assert!(e.contains("must be 1–1440 minutes"), "{e}");
        let e = load_error(&format!("agent_template = \"nonexistent\"\n{MINIMAL}"));
        assert!(e.contains("agent_template 'nonexistent'"), "{e}");
        let e = load_error(&MINIMAL.replace("\"Nägel machen\"", "\" \""));
        assert!(e.contains("service 'Maniküre': a synonym is empty"), "{e}");
        let e = load_error(&format!(
            "{MINIMAL}[[services]]\nname = \"Pediküre\"\nduration = 30\nsynonyms = [\"maniküre\"]\n"
        ));
        assert!(e.contains("synonym 'maniküre' is the name of service 'Maniküre'"), "{e}");
        let e = load_error(&MINIMAL.replace("key = \"nagelstudio\"", "key = \"Nagel Studio\""));
        assert!(e.contains("key 'Nagel Studio'"), "{e}");
        let e = load_error(&MINIMAL.replace("key = \"nagelstudio\"", "key = \"friseur\""));
        assert!(e.contains("built-in"), "{e}");
        let e = load_error(&MINIMAL.replace("name = \"Nagelstudio\"", "name = \"N\"\ncallback_channels = [\"fax\"]"));
        assert!(e.contains("unknown callback channel 'fax'"), "{e}");
        let e =
            load_error(&MINIMAL.replace("name = \"Nagelstudio\"", "name = \"N\"\nstaff_confidence_threshold = 1.5"));
        assert!(e.contains("staff_confidence_threshold must be between 0 and 1"), "{e}");
        let e = load_error(&format!("{MINIMAL}[greetings]\ndefault = \"Hallo {{{{kunde}}}}\"\n"));
        assert!(e.contains("greetings.default") && e.contains("{{kunde}}"), "{e}");
        let e = load_error(&MINIMAL.replace("monday = { open = \"10:00\", close = \"18:00\" }", ""));
        assert!(e.contains("no day is open"), "{e}");
        let e = load_error("key = ");
        assert!(e.contains("line 1"), "{e}");
        // A missing file is exit 2 too, naming it.
        let err = Industry::load("./no-such-preset.toml").unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(err.message().contains("no-such-preset.toml"));
    }
}
