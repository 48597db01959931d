//! The reads a live call waits for, done inline on SQLite.
//!
//! sqlx runs every SQLite connection on a thread of its own, so each statement is handed to that
//! thread and its rows handed back: two thread switches and several futex calls around a read
//! that itself takes a few microseconds, more than the read. The handful of reads on the
//! daemon's hot path — tenant, company, branch, catalogue, staff, busy times, a first answer —
//! therefore run here instead: on the calling thread, with read-only connections and cached
//! statements.
//!
//! They are bounded index reads (microseconds, from the page cache), so running them on an
//! async worker costs less than a hand-off would; WAL readers never wait for the writer. The
//! SQL is the same text the sqlx implementation uses (`$N` parameters are bound by number, as
//! sqlx does). Writes are not done here: see `hot.rs` for the daemon's hot ones.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rusqlite::{Connection, OpenFlags, Row, ToSql};

use super::sql::*;
use super::*;

/// The names of bound parameters, by number.
const PARAMETERS: [&str; 8] = ["$1", "$2", "$3", "$4", "$5", "$6", "$7", "$8"];

/// Idle connections kept for reuse; a burst beyond it opens more and closes them after.
const KEEP_IDLE: usize = 8;

/// Read-only connections to one SQLite file, used on the calling thread.
pub(super) struct InlineReads {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

/// Builds a row struct from the columns in field order (the `*_COLUMNS` lists follow the
/// structs' fields); debug builds check each column's name against its field.
macro_rules! from_row {
    ($row:expr, $ty:ident { $($field:ident),* $(,)? }) => {{
        let mut column = 0;
        $ty {
            $($field: {
                debug_assert_eq!($row.as_ref().column_name(column).ok(), Some(stringify!($field)));
                column += 1;
                $row.get(column - 1)?
            }),*
        }
    }};
}

fn company(row: &Row) -> rusqlite::Result<Company> {
    Ok(from_row!(
        row,
        Company {
            id,
            name,
            email,
            phone,
            country,
            timezone,
            industry,
            scheduling,
            calcom_team_id,
            calcom_api_key,
            retell_api_key,
            calcom_webhook_secret,
            callback_channels,
            callback_email,
            enable_smart_service,
            service_confidence_threshold,
            enable_staff_preferences,
            staff_confidence_threshold,
            cancellation_hours,
            slot_step_min,
            slot_buffer_min,
            min_notice_min,
            created_at,
            catalog_version,
        }
    ))
}

fn branch(row: &Row) -> rusqlite::Result<Branch> {
    Ok(from_row!(
        row,
        Branch {
            id,
            company_id,
            name,
            address,
            phone,
            email,
            timezone,
            business_hours,
            notify_email,
            notify_sms_phone,
            notify_whatsapp,
            created_at,
            schedule_version,
        }
    ))
}

fn service(row: &Row) -> rusqlite::Result<Service> {
    Ok(from_row!(
        row,
        Service {
            id,
            company_id,
            branch_id,
            name,
            duration_min,
            price_cents,
            calcom_event_type_id,
            active,
            synonym_count,
        }
    ))
}

fn staff(row: &Row) -> rusqlite::Result<Staff> {
    Ok(from_row!(row, Staff { id, company_id, branch_id, name, email, phone, calcom_user_id, working_hours, active }))
}

fn busy(row: &Row) -> rusqlite::Result<BusyTime> {
    Ok(from_row!(row, BusyTime { appointment_id, staff_id, starts_at, ends_at }))
}

fn schedule_entry(row: &Row) -> rusqlite::Result<ScheduleEntry> {
    Ok(from_row!(row, ScheduleEntry { appointment_id, staff_id, starts_at, ends_at, expires_at }))
}

fn tenant(row: &Row) -> rusqlite::Result<Tenant> {
    Ok(from_row!(row, Tenant { company_id, branch_id }))
}

impl InlineReads {
    pub(super) fn new(path: &Path) -> InlineReads {
        InlineReads { path: path.to_path_buf(), idle: Mutex::new(Vec::new()) }
    }

    fn open(&self) -> Result<Connection> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&self.path, flags)
            .map_err(|e| Error::internal(format!("cannot open {} for reading", self.path.display())).with_source(e))?;
        conn.busy_timeout(super::sqlite::BUSY_TIMEOUT).map_err(sqlite_error)?;
        conn.set_prepared_statement_cache_capacity(64);
        Ok(conn)
    }

    /// Runs `read` on an idle connection (opening one if none is idle) and puts it back,
    /// unless `read` left it inside a transaction it could not end.
    fn with<R>(&self, read: impl FnOnce(&Connection) -> rusqlite::Result<R>) -> Result<R> {
        let idle = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let conn = match idle {
            Some(conn) => conn,
            None => self.open()?,
        };
        let out = read(&conn).map_err(sqlite_error);
        // An open read transaction would hold its WAL snapshot, and the WAL with it.
        if !conn.is_autocommit() && conn.execute_batch("ROLLBACK").is_err() {
            return out;
        }
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        if idle.len() < KEEP_IDLE {
            idle.push(conn);
        }
        out
    }

    /// [`query`] on an idle connection.
    fn rows<T>(
        &self,
        sql: &str,
        params: &[&dyn ToSql],
        limit: usize,
        map: fn(&Row) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>> {
        self.with(|c| query(c, sql, params, limit, map))
    }

    fn all<T>(&self, sql: &str, params: &[&dyn ToSql], map: fn(&Row) -> rusqlite::Result<T>) -> Result<Vec<T>> {
        self.rows(sql, params, usize::MAX, map)
    }

    fn first<T>(&self, sql: &str, params: &[&dyn ToSql], map: fn(&Row) -> rusqlite::Result<T>) -> Result<Option<T>> {
        Ok(self.rows(sql, params, 1, map)?.pop())
    }

    pub(super) fn company(&self, id: i64) -> Result<Option<Company>> {
        self.first(&COMPANY_BY_ID, &[&id], company)
    }

    pub(super) fn branch(&self, id: i64) -> Result<Option<Branch>> {
        self.first(&BRANCH_BY_ID, &[&id], branch)
    }

    pub(super) fn services(&self, company_id: i64, branch_id: Option<i64>) -> Result<Vec<Service>> {
        self.all(&SERVICES, &[&company_id, &branch_id], service)
    }

    pub(super) fn company_synonyms(&self, company_id: i64) -> Result<Vec<(i64, String)>> {
        self.all(COMPANY_SYNONYMS, &[&company_id], |r| Ok((r.get(0)?, r.get(1)?)))
    }

    pub(super) fn staff_for_service(&self, company_id: i64, branch_id: i64, service_id: i64) -> Result<Vec<Staff>> {
        self.all(&STAFF_FOR_SERVICE, &[&company_id, &branch_id, &service_id], staff)
    }

    pub(super) fn busy_times(&self, scope: [i64; 3], from: i64, to: i64, now: i64) -> Result<Vec<BusyTime>> {
        let [company_id, branch_id, service_id] = scope;
        let earliest = from - MAX_APPOINTMENT_MS;
        self.all(BUSY_TIMES, &[&company_id, &branch_id, &from, &to, &now, &earliest, &service_id], busy)
    }

    pub(super) fn branch_schedule(&self, scope: [i64; 2], from: i64, to: i64, now: i64) -> Result<Vec<ScheduleEntry>> {
        let [company_id, branch_id] = scope;
        let earliest = from - MAX_APPOINTMENT_MS;
        self.all(BRANCH_SCHEDULE, &[&company_id, &branch_id, &from, &to, &earliest, &now], schedule_entry)
    }

    /// One read transaction for the three reads, where three statements alone would each
    /// take and release the WAL's read lock: a tenth of a `check_availability` call's time.
    pub(super) fn function_context(
        &self,
        (company_id, branch_id): (i64, i64),
        call_id: &str,
        name: &str,
        args_hash: &str,
    ) -> Result<FunctionContext> {
        self.with(|c| {
            c.prepare_cached("BEGIN")?.execute([])?;
            let context = FunctionContext {
                first_answer: query(c, FUNCTION_ANSWER, &[&company_id, &call_id, &name, &args_hash], 1, |r| r.get(0))?
                    .pop(),
                company: query(c, &COMPANY_BY_ID, &[&company_id], 1, company)?.pop(),
                branch: query(c, &BRANCH_BY_ID, &[&branch_id], 1, branch)?.pop(),
            };
            c.prepare_cached("COMMIT")?.execute([])?;
            Ok(context)
        })
    }

    pub(super) fn tenant_for_call(&self, agent_id: Option<&str>, to_number: Option<&str>) -> Result<Option<Tenant>> {
        if let Some(agent) = agent_id {
            if let Some(found) = self.first(TENANT_BY_AGENT, &[&agent], tenant)? {
                return Ok(Some(found));
            }
        }
        let Some(number) = to_number else { return Ok(None) };
        if let Some(found) = self.first(TENANT_BY_NUMBER, &[&number], tenant)? {
            return Ok(Some(found));
        }
        let mut rows = self.all(TENANT_BY_BRANCH_PHONE, &[&number], tenant)?;
        Ok(if rows.len() == 1 { rows.pop() } else { None })
    }
}

/// Up to `limit` rows of `sql` on `conn`, with `params` bound to `$1`, `$2`, … by number (as
/// sqlx binds them: the numbers need not appear in order).
fn query<T>(
    conn: &Connection,
    sql: &str,
    params: &[&dyn ToSql],
    limit: usize,
    map: fn(&Row) -> rusqlite::Result<T>,
) -> rusqlite::Result<Vec<T>> {
    let mut stmt = conn.prepare_cached(sql)?;
    for (name, value) in PARAMETERS.iter().zip(params) {
        let index =
            stmt.parameter_index(name)?.ok_or_else(|| rusqlite::Error::InvalidParameterName(name.to_string()))?;
        stmt.raw_bind_parameter(index, value)?;
    }
    let mut rows = stmt.raw_query();
    let mut out = Vec::new();
    while out.len() < limit {
        match rows.next()? {
            Some(row) => out.push(map(row)?),
            None => break,
        }
    }
    Ok(out)
}

fn sqlite_error(e: rusqlite::Error) -> Error {
    Error::internal("a database read failed").with_source(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_that_fails_inside_a_transaction_does_not_keep_it_open() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("askpro.db");
        Connection::open(&path).unwrap().execute_batch("PRAGMA journal_mode = WAL; CREATE TABLE t (x);").unwrap();
        let reads = InlineReads::new(&path);
        let failed = reads.with(|c| {
            c.prepare_cached("BEGIN")?.execute([])?;
            c.prepare_cached("SELECT missing FROM t").map(|_| ())
        });
        assert!(failed.is_err());
        // The same (only idle) connection comes back outside any transaction.
        assert_eq!(reads.idle.lock().unwrap().len(), 1);
        assert!(reads.with(|c| Ok(c.is_autocommit())).unwrap(), "the failed read's transaction was rolled back");
    }
}
