//! The one place output is rendered: `<Entity> ID: N` lines, tables, JSON, quiet ids, errors.
//! stdout carries data only; notices and errors go to stderr. Whatever is written passes
//! through [`redact`] last: no secret the process knows is printed, whatever text carried it.

use std::io::Write;

use comfy_table::{presets, ContentArrangement, Table};
use serde::Serialize;
use serde_json::{json, Value};

use crate::error::{Error, Result};
use crate::secrets::redact;

#[derive(Debug, Clone, Copy)]
pub struct Output {
    pub json: bool,
    pub quiet: bool,
}

impl Output {
    /// A create command's result: `Company ID: 7`, or `7` with `-q`, or the entity as JSON.
    pub fn created<T: Serialize>(&self, entity: &str, id: i64, existed: bool, value: &T) -> Result<()> {
        if existed {
            notice(&format!("{} {id} already exists; reusing it (--if-not-exists)", entity.to_lowercase()));
        }
        if self.json {
            let mut v = serde_json::to_value(value)?;
            if let Value::Object(map) = &mut v {
                map.insert("existed".into(), Value::Bool(existed));
            }
            print_json(&v)
        } else if self.quiet {
            print_line(&id.to_string())
        } else {
            print_line(&format!("{entity} ID: {id}"))
        }
    }

    /// A list: a table for people, a JSON array for scripts.
    pub fn list<T: Serialize>(
        &self,
        what: &str,
        rows: &[T],
        header: &[&str],
        cells: impl Fn(&T) -> Vec<String>,
    ) -> Result<()> {
        if self.json {
            return print_json(&serde_json::to_value(rows)?);
        }
        if rows.is_empty() {
            notice(&format!("no {what} yet"));
            return Ok(());
        }
        if self.quiet {
            // One id per line, for `for id in $(askpro branch:list -q …)`.
            let ids: Vec<String> = rows.iter().map(|r| cells(r).into_iter().next().unwrap_or_default()).collect();
            return print_line(&ids.join("\n"));
        }
        let mut table = table();
        table.set_header(header.to_vec());
        for row in rows {
            table.add_row(cells(row));
        }
        print_line(&table.to_string())
    }

    /// One object: key/value lines for people, the object as JSON for scripts.
    pub fn show<T: Serialize>(&self, value: &T, fields: &[(&str, String)]) -> Result<()> {
        if self.json {
            return print_json(&serde_json::to_value(value)?);
        }
        let mut table = table();
        table.load_preset(presets::NOTHING);
        for (k, v) in fields {
            table.add_row(vec![format!("{k}:"), v.clone()]);
        }
        print_line(&table.to_string())
    }

    /// A one-line human message, or the value as JSON.
    pub fn message<T: Serialize>(&self, value: &T, human: &str) -> Result<()> {
        if self.json {
            print_json(&serde_json::to_value(value)?)
        } else {
            print_line(human)
        }
    }

    /// `error: …` and `help: …` on stderr; with `--json` also `{"error": …}` on stdout.
    pub fn error(&self, err: &Error) {
        let message = redact(&err.to_string()).into_owned();
        let mut stderr = std::io::stderr().lock();
        let _ = writeln!(stderr, "error: {message}");
        if let Some(help) = err.help() {
            let _ = writeln!(stderr, "help: {}", redact(help));
        }
        if self.json && !err.is_reported() {
            let _ = print_json(&json!({"error": {"code": err.kind().code(), "message": message}}));
        }
    }
}

pub fn notice(text: &str) {
    eprintln!("{}", redact(text));
}

pub fn table() -> Table {
    let mut table = Table::new();
    table.load_preset(presets::UTF8_FULL_CONDENSED).set_content_arrangement(ContentArrangement::Dynamic);
    table
}

pub fn print_json(value: &Value) -> Result<()> {
    let text = serde_json::to_string_pretty(value)?;
    print_line(&text)
}

/// Writes a line to stdout; a closed pipe (`| head`) ends quietly instead of panicking.
pub fn print_line(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{}", redact(text)).and_then(|_| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

/// `—` for absent values in tables.
pub fn opt<T: ToString>(value: &Option<T>) -> String {
    value.as_ref().map(|v| v.to_string()).unwrap_or_else(|| "—".to_string())
}
