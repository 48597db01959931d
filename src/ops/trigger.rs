//! `retell:trigger`: a correctly signed sample of what Retell sends — a call event or a custom
//! function call — delivered to a running daemon, to check a deployment end to end.

use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::clients::daemon::{self, Reply};
use crate::error::{Error, Result};

/// The call events Retell sends to the webhook URL.
pub const EVENTS: [&str; 3] = ["call_started", "call_ended", "call_analyzed"];

/// What to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sample {
    /// A call event (one of [`EVENTS`]) to `/retell/webhook`.
    Event(String),
    /// A custom function call to `/retell/function`.
    Function(String),
}

impl Sample {
    /// `call_started`, `call_ended`, `call_analyzed`, or the name of a custom function.
    pub fn parse(name: &str) -> Result<Sample> {
        if EVENTS.contains(&name) {
            Ok(Sample::Event(name.to_string()))
        } else if crate::templates::tools::NAMES.contains(&name) {
            Ok(Sample::Function(name.to_string()))
        } else {
            Err(Error::invalid(format!(
                "'{}' is neither a call event nor a custom function",
                crate::domain::shown(name)
            ))
            .with_help(format!(
                "use one of {} or a function: {}",
                EVENTS.join(", "),
                crate::templates::tools::NAMES.join(", ")
            )))
        }
    }

    fn path(&self) -> &'static str {
        match self {
            Sample::Event(_) => "/retell/webhook",
            Sample::Function(_) => "/retell/function",
        }
    }
}

/// The call the sample belongs to.
#[derive(Debug, Clone, Default)]
pub struct SampleCall {
    pub call_id: String,
    pub agent_id: Option<String>,
    pub from_number: Option<String>,
    pub to_number: Option<String>,
    /// The function's arguments (functions only).
    pub args: Map<String, Value>,
    /// When the call started (ms since the epoch).
    pub started_at: i64,
}

/// What a trigger sent and what came back.
#[derive(Debug, Serialize)]
pub struct Delivered {
    pub url: String,
    pub status: u16,
    /// The daemon's answer, as JSON when it is JSON.
    pub response: Value,
}

/// The body Retell would send for `sample` (shapes as in Retell's reference fixtures).
pub fn body(sample: &Sample, call: &SampleCall) -> Value {
    let mut object = json!({
        "call_id": call.call_id,
        "call_type": "phone_call",
        "agent_id": call.agent_id,
        "direction": "inbound",
        "from_number": call.from_number,
        "to_number": call.to_number,
        "call_status": "ongoing",
        "start_timestamp": call.started_at,
        "metadata": {},
    });
    let ended = call.started_at + 95_000;
    let fields = |o: &mut Value, more: Value| {
        if let (Some(o), Value::Object(more)) = (o.as_object_mut(), more) {
            o.extend(more);
        }
    };
    match sample {
        Sample::Event(event) => {
            if event != "call_started" {
                fields(
                    &mut object,
                    json!({
                        "call_status": "ended",
                        "end_timestamp": ended,
                        "duration_ms": ended - call.started_at,
                        "disconnection_reason": "user_hangup",
                        "transcript": "Agent: Guten Tag, was kann ich für Sie tun?\nUser: Ich hätte gern einen Termin.\n",
                    }),
                );
            }
            if event == "call_analyzed" {
                fields(
                    &mut object,
                    json!({"call_analysis": {
                        "call_summary": "Der Anrufer hat nach einem Termin gefragt (askpro retell:trigger).",
                        "user_sentiment": "Positive",
                        "call_successful": true,
                        "in_voicemail": false,
                    }}),
                );
            }
            json!({"event": event, "call": object})
        }
        Sample::Function(name) => json!({"name": name, "args": call.args, "call": object}),
    }
}

/// The URL to post `sample` to: `to` itself when it names a path, else the daemon's endpoint
/// under it.
pub fn url(sample: &Sample, to: &str) -> Result<String> {
    let parsed = reqwest::Url::parse(to).map_err(|e| {
        Error::invalid(format!("--to '{to}' is not a URL: {e}")).with_help("e.g. --to http://127.0.0.1:8080")
    })?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(Error::invalid(format!("--to '{to}' is not an http(s) URL")));
    }
    Ok(match parsed.path() {
        "" | "/" => format!("{}{}", to.trim_end_matches('/'), sample.path()),
        _ => to.to_string(),
    })
}

/// Sends `sample` for `call` to the daemon at `to`, signed with `key`.
pub async fn trigger(sample: &Sample, call: &SampleCall, to: &str, key: &str) -> Result<Delivered> {
    let url = url(sample, to)?;
    let body = serde_json::to_vec(&body(sample, call))?;
    let Reply { status, body } = daemon::post_signed(&url, &body, key).await?;
    let response = serde_json::from_str(&body).unwrap_or(Value::String(body));
    Ok(Delivered { url, status, response })
}

/// The error for a delivery the daemon refused, with the exit code its status means.
pub fn refusal(delivered: &Delivered) -> Option<Error> {
    let message = format!("the daemon answered {} at {}: {}", delivered.status, delivered.url, delivered.response);
    match delivered.status {
        200..=299 => None,
        401 => Some(Error::config(message).with_help(
            "sign with a key the daemon knows: --key, or RETELL_API_KEY as the daemon has it (or a company's own key)",
        )),
        404 => Some(Error::not_found(message).with_help(
            "give --agent-id of an agent askpro registered, or --to-number of a branch's or registered number",
        )),
        400..=499 => Some(Error::invalid(message)),
        _ => Some(Error::upstream(message)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_and_urls() {
        assert_eq!(Sample::parse("call_ended").unwrap(), Sample::Event("call_ended".into()));
        assert_eq!(Sample::parse("check_availability").unwrap(), Sample::Function("check_availability".into()));
        assert_eq!(Sample::parse("call_exploded").unwrap_err().exit_code(), 2);
        let event = Sample::parse("call_started").unwrap();
        assert_eq!(url(&event, "http://127.0.0.1:8080").unwrap(), "http://127.0.0.1:8080/retell/webhook");
        assert_eq!(url(&event, "http://127.0.0.1:8080/").unwrap(), "http://127.0.0.1:8080/retell/webhook");
        assert_eq!(url(&event, "http://h/api/webhooks/retell").unwrap(), "http://h/api/webhooks/retell");
        assert_eq!(url(&event, "127.0.0.1:8080").unwrap_err().exit_code(), 2);
        let call = SampleCall { call_id: "c1".into(), started_at: 1_000, ..Default::default() };
        let analyzed = body(&Sample::parse("call_analyzed").unwrap(), &call);
        assert_eq!(analyzed["call"]["duration_ms"], 95_000);
        assert_eq!(analyzed["call"]["call_analysis"]["user_sentiment"], "Positive");
        let started = body(&event, &call);
        assert_eq!(started["call"]["call_status"], "ongoing");
        assert!(started["call"].get("end_timestamp").is_none());
    }
}
