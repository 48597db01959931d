//! The custom tools a Retell agent needs to reach askpro: one per function, all
//! posting to `{ASKPRO_PUBLIC_URL}/retell/function`, with the German argument names existing
//! flows use. `retell:clone-agent` puts exactly these into askpro's templates.
//!
//! Timeouts and retries are set deliberately: the daemon answers within its deadline (2 s), so
//! 8 s per attempt is generous; reads may be retried once, while the functions that book,
//! move or cancel are not retried by Retell (the daemon's idempotency covers a retry anyway,
//! but a retry would only add silence).

use serde_json::{json, Value};

/// Every custom function the daemon answers (with the seeds' aliases).
pub const NAMES: [&str; 13] = [
    "get_current_context",
    "check_customer",
    "get_available_services",
    "get_customer_appointments",
    "request_callback",
    "check_availability",
    "check_availability_v17",
    "get_alternatives",
    "start_booking",
    "confirm_booking",
    "book_appointment",
    "cancel_appointment",
    "reschedule_appointment",
];

/// `(name, description, properties (name, description), required, changes something)`.
type Definition = (&'static str, &'static str, &'static [(&'static str, &'static str)], &'static [&'static str], bool);

const DEFINITIONS: [Definition; 13] = [
    ("get_current_context", "Heutiges Datum, Wochentag, Uhrzeit und Öffnungszeiten der Filiale.", &[], &[], false),
    ("check_customer", "Erkennt den Anrufer an seiner Nummer: Name, übliche Leistung, anstehende Termine.", &[], &[], false),
    ("get_available_services", "Die angebotenen Leistungen mit Dauer und Preis.", &[], &[], false),
    ("get_customer_appointments", "Die anstehenden Termine des Anrufers.", &[], &[], false),
    (
        "request_callback",
        "Bittet um einen Rückruf.",
        &[("customer_name", "Name des Anrufers"), ("phone_number", "Rückrufnummer"), ("reason", "Anliegen")],
        &["reason"],
        true,
    ),
    (
        "check_availability",
        "Prüft, ob eine Leistung an einem Tag (und zu einer Uhrzeit) frei ist, und nennt bis zu zwei Alternativen, jede mit slot_id.",
        &[
            ("dienstleistung", "Die gewünschte Leistung, wie der Anrufer sie nennt"),
            ("datum", "Der Tag, wie gesagt (morgen, Freitag, 27.11.) oder YYYY-MM-DD"),
            ("uhrzeit", "Die Uhrzeit, wie gesagt (halb drei, 14:30), falls genannt"),
            ("mitarbeiter", "Gewünschte Mitarbeiterin oder gewünschter Mitarbeiter, falls genannt"),
        ],
        &["dienstleistung", "datum"],
        false,
    ),
    (
        "check_availability_v17",
        "Wie check_availability (für ältere Abläufe).",
        &[("dienstleistung", "Leistung"), ("datum", "Tag"), ("uhrzeit", "Uhrzeit")],
        &["dienstleistung", "datum"],
        false,
    ),
    (
        "get_alternatives",
        "Alternative freie Zeiten zu einem Wunschtermin.",
        &[("service_name", "Leistung"), ("preferred_date", "Wunschtag"), ("preferred_time", "Wunschzeit")],
        &["service_name"],
        false,
    ),
    (
        "start_booking",
        "Reserviert einen angebotenen Termin für 5 Minuten, bis der Anrufer bestätigt.",
        &[
            ("slot_id", "Die slot_id aus check_availability"),
            ("customer_name", "Name des Anrufers"),
            ("customer_phone", "Telefonnummer, falls die Nummer unterdrückt ist"),
        ],
        &["slot_id", "customer_name"],
        true,
    ),
    ("confirm_booking", "Bucht den reservierten Termin verbindlich.", &[], &[], true),
    (
        "book_appointment",
        "Bucht einen angebotenen Termin in einem Schritt.",
        &[
            ("slot_id", "Die slot_id aus check_availability"),
            ("customer_name", "Name des Anrufers"),
            ("customer_phone", "Telefonnummer, falls die Nummer unterdrückt ist"),
        ],
        &["slot_id", "customer_name"],
        true,
    ),
    (
        "cancel_appointment",
        "Sagt einen Termin des Anrufers ab (bei mehreren: welcher).",
        &[("datum", "Tag des Termins, falls mehrere"), ("uhrzeit", "Uhrzeit des Termins, falls mehrere")],
        &[],
        true,
    ),
    (
        "reschedule_appointment",
        "Verschiebt einen Termin des Anrufers auf eine neue Zeit.",
        &[
            ("new_datum", "Neuer Tag"),
            ("new_uhrzeit", "Neue Uhrzeit"),
            ("old_datum", "Bisheriger Tag, falls mehrere Termine"),
            ("old_uhrzeit", "Bisherige Uhrzeit, falls mehrere Termine"),
        ],
        &["new_datum", "new_uhrzeit"],
        true,
    ),
];

/// The tools for an agent whose daemon is reachable at `public_url`. `flow` adds the
/// `tool_id` a conversation flow's tools need.
pub fn definitions(public_url: &str, flow: bool) -> Vec<Value> {
    let url = format!("{}/retell/function", public_url.trim_end_matches('/'));
    DEFINITIONS
        .iter()
        .map(|(name, description, properties, required, changes)| {
            let props: serde_json::Map<String, Value> =
                properties.iter().map(|(p, d)| (p.to_string(), json!({"type": "string", "description": d}))).collect();
            let mut tool = json!({
                "type": "custom",
                "name": name,
                "description": description,
                "url": url,
                "method": "POST",
                "timeout_ms": 8000,
                "max_retry": if *changes { 0 } else { 1 },
                "speak_during_execution": true,
                "execution_message_type": "static_text",
                "execution_message_description": "Einen Moment bitte.",
                "speak_after_execution": true,
                "parameters": {"type": "object", "properties": props, "required": required},
            });
            if flow {
                tool["tool_id"] = json!(name);
            }
            tool
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_tool_per_function_of_the_spec() {
        let tools = definitions("https://askpro.example/", true);
        let names: Vec<&str> = tools.iter().map(|t| t["name"].as_str().unwrap()).collect();
        assert_eq!(names, super::NAMES);
        assert!(tools.iter().all(|t| t["url"] == "https://askpro.example/retell/function"));
        assert!(tools.iter().all(|t| t["parameters"]["type"] == "object" && t["tool_id"] == t["name"]));
        let book = tools.iter().find(|t| t["name"] == "book_appointment").unwrap();
        assert_eq!(book["max_retry"], 0, "a booking is never retried by Retell");
    }
}
