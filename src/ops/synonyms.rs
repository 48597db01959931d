//! `service:import-synonyms`: a CSV of `service_name,synonym` imported all-or-nothing.
//!
//! The whole file is read and checked before anything is written: a malformed row, an empty
//! field or a service name the company does not have aborts with the line number. Synonyms a
//! service already has (in the database or earlier in the file) are skipped and counted. The
//! rows are then written in one transaction, in multi-row batches.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde::Serialize;

use super::{company, Progress};
use crate::app::App;
use crate::domain;
use crate::error::{Error, Result};
use crate::store::NewSynonym;

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct ImportSummary {
    pub rows: u64,
    pub imported: u64,
    pub duplicates_skipped: u64,
    pub dry_run: bool,
}

pub async fn import(
    app: &App,
    company_id: i64,
    path: &Path,
    dry_run: bool,
    progress: &dyn Progress,
) -> Result<ImportSummary> {
    company::get(app, company_id).await?;
    let services: HashMap<String, i64> =
        app.store.services(company_id, None).await?.into_iter().map(|s| (domain::name_key(&s.name), s.id)).collect();
    let file = std::fs::File::open(path)
        .map_err(|e| Error::invalid(format!("cannot read the CSV file '{}'", path.display())).with_source(e))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    progress.start(size, "checking rows");
    let rows = parse(file, &services, progress)?;
    progress.finish();

    // Duplicates inside the file are skipped here; ones already stored by ON CONFLICT.
    let total = rows.len() as u64;
    let unique = dedupe(rows);
    let imported = if dry_run {
        count_new(app, company_id, &unique).await?
    } else {
        progress.start(unique.len() as u64, "writing synonyms");
        let n = app.store.insert_synonyms(company_id, &unique, &|batch| progress.advance(batch)).await?;
        progress.finish();
        n
    };
    Ok(ImportSummary { rows: total, imported, duplicates_skipped: total - imported, dry_run })
}

/// Keeps the first of each `(service, synonym)` pair, in file order.
fn dedupe(rows: Vec<NewSynonym>) -> Vec<NewSynonym> {
    let mut seen: HashSet<(i64, &str)> = HashSet::with_capacity(rows.len());
    let keep: Vec<bool> = rows.iter().map(|r| seen.insert((r.service_id, r.synonym_key.as_str()))).collect();
    drop(seen);
    rows.into_iter().zip(keep).filter_map(|(row, keep)| keep.then_some(row)).collect()
}

/// How many of `rows` the store does not have yet (for `--dry-run`).
async fn count_new(app: &App, company_id: i64, rows: &[NewSynonym]) -> Result<u64> {
    let mut existing: HashSet<(i64, String)> = HashSet::new();
    for service_id in rows.iter().map(|r| r.service_id).collect::<HashSet<_>>() {
        for s in app.store.synonyms(company_id, service_id).await? {
            existing.insert((service_id, domain::name_key(&s.synonym)));
        }
    }
    Ok(rows.iter().filter(|r| !existing.contains(&(r.service_id, r.synonym_key.clone()))).count() as u64)
}

/// Reads and validates every row; the first bad one aborts with its line number.
fn parse(
    input: impl std::io::Read,
    services: &HashMap<String, i64>,
    progress: &dyn Progress,
) -> Result<Vec<NewSynonym>> {
    let mut reader = csv::ReaderBuilder::new().has_headers(true).trim(csv::Trim::All).from_reader(input);
    let headers = reader.headers().map_err(|e| csv_error(&e, 1))?.clone();
    let names: Vec<String> = headers.iter().map(|h| h.trim_start_matches('\u{feff}').to_lowercase()).collect();
    if names != ["service_name", "synonym"] {
        return Err(Error::invalid(format!(
            "line 1: the header must be 'service_name,synonym', not '{}'",
            headers.iter().collect::<Vec<_>>().join(",")
        ))
        .with_help("the first line of the file names the columns: service_name,synonym"));
    }
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    let mut last_offset = 0;
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(csv_error(&e, rows.len() as u64 + 2)),
        }
        let line = record.position().map(|p| p.line()).unwrap_or(rows.len() as u64 + 2);
        let (service, synonym) = (record.get(0).unwrap_or(""), record.get(1).unwrap_or(""));
        if service.is_empty() || synonym.is_empty() {
            return Err(Error::invalid(format!("line {line}: both service_name and synonym are required"))
                .with_help(NOTHING_WRITTEN));
        }
        if let Some(field) = [service, synonym].into_iter().find(|f| f.chars().any(char::is_control)) {
            let why = match field.contains(['\n', '\r']) {
                true => "a quoted field runs over a line break: is a closing '\"' missing?",
                false => "a field holds a tab or another control character",
            };
            return Err(Error::invalid(format!("line {line}: {why}")).with_help(NOTHING_WRITTEN));
        }
        if synonym.chars().count() > 200 {
            return Err(Error::invalid(format!("line {line}: the synonym is longer than 200 characters"))
                .with_help(NOTHING_WRITTEN));
        }
        let service_id = *services.get(&domain::name_key(service)).ok_or_else(|| {
            Error::invalid(format!("line {line}: the company has no service named '{service}'"))
                .with_help("create it with `askpro service:create` first; nothing was written")
        })?;
        rows.push(NewSynonym { service_id, synonym: synonym.to_string(), synonym_key: domain::name_key(synonym) });
        let offset = record.position().map(|p| p.byte()).unwrap_or(last_offset);
        if offset - last_offset > 64 * 1024 {
            progress.advance(offset - last_offset);
            last_offset = offset;
        }
    }
    Ok(rows)
}

const NOTHING_WRITTEN: &str = "fix the row and run the import again; nothing was written";

fn csv_error(err: &csv::Error, fallback_line: u64) -> Error {
    let line = err.position().map(|p| p.line()).unwrap_or(fallback_line);
    let what = match err.kind() {
        csv::ErrorKind::Utf8 { .. } => "the row is not valid UTF-8".to_string(),
        csv::ErrorKind::UnequalLengths { len, .. } => {
            format!("the row has {len} fields, expected 2 (service_name,synonym)")
        }
        _ => format!("the file is not valid CSV ({err})"),
    };
    Error::invalid(format!("line {line}: {what}")).with_help(NOTHING_WRITTEN)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::NoProgress;

    fn services() -> HashMap<String, i64> {
        HashMap::from([("herrenhaarschnitt".to_string(), 1), ("färben".to_string(), 2)])
    }

    #[test]
    fn parses_rows_and_normalises_names() {
        let csv = "service_name,synonym\nHerrenhaarschnitt, Männerschnitt \nFÄRBEN,Tönung\n";
        let rows = parse(csv.as_bytes(), &services(), &NoProgress).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[0].service_id, rows[0].synonym.as_str()), (1, "Männerschnitt"));
        assert_eq!(rows[1].service_id, 2);
    }

    #[test]
    fn bad_rows_name_their_line() {
        let cases = [
            ("name,synonym\nA,b\n", "line 1"),
            ("service_name,synonym\nHerrenhaarschnitt,a\nUnbekannt,b\n", "line 3"),
            ("service_name,synonym\nHerrenhaarschnitt,a\nHerrenhaarschnitt\n", "line 3"),
            ("service_name,synonym\nHerrenhaarschnitt,a\nHerrenhaarschnitt,a,b\n", "line 3"),
            ("service_name,synonym\n,a\n", "line 2"),
        ];
        for (csv, line) in cases {
            let err = parse(csv.as_bytes(), &services(), &NoProgress).unwrap_err();
            assert!(err.message().starts_with(line), "{csv:?}: {}", err.message());
            assert_eq!(err.exit_code(), 2);
        }
        let bad_utf8 = b"service_name,synonym\nHerrenhaarschnitt,\xff\xfe\n";
        assert!(parse(&bad_utf8[..], &services(), &NoProgress).unwrap_err().message().starts_with("line 2"));
    }
}
