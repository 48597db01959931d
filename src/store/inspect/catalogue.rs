//! The hot-path statements askpro runs and the indexes that serve them, as the migrations
//! (up to 0013) create them on both backends.
//!
//! Each entry's `sql` is the constant its store method runs, so the catalogue cannot drift from
//! the code; `tests/inspect.rs` checks that every index below exists in a migrated database with
//! these columns, and that no entry's plan reads its table in full.

use std::sync::LazyLock;

use super::{ConstraintIndex, HotQuery, IndexDef, Param};
use crate::store::sql::*;

/// A day in ms: the window the time-range reads are planned for.
const DAY_MS: i64 = 86_400_000;

/// A table constraint's index, named on each backend (SQLite numbers its automatic indexes by
/// table; PostgreSQL names them after the constraint).
const fn constraint(sqlite: &'static str, postgres: &'static str) -> Option<ConstraintIndex> {
    Some(ConstraintIndex { sqlite, postgres })
}

const fn index(name: &'static str, table: &'static str, columns: &'static str, unique: bool) -> IndexDef {
    IndexDef { name, table, columns, unique, constraint: None }
}

static AGENTS_RETELL_ID: IndexDef = IndexDef {
    constraint: constraint("sqlite_autoindex_agents_1", "agents_retell_agent_id_key"),
    ..index("agents_retell_agent_id_key", "agents", "(retell_agent_id)", true)
};
static PHONE_NUMBERS_NUMBER: IndexDef = IndexDef {
    constraint: constraint("sqlite_autoindex_phone_numbers_1", "phone_numbers_number_key"),
    ..index("phone_numbers_number_key", "phone_numbers", "(number)", true)
};
static BRANCHES_PHONE: IndexDef = index("branches_phone", "branches", "(phone) WHERE phone IS NOT NULL", true);
static FUNCTION_CALLS_KEY: IndexDef = IndexDef {
    constraint: constraint("sqlite_autoindex_function_calls_1", "function_calls_company_key"),
    ..index("function_calls_company_key", "function_calls", "(company_id, call_id, name, args_hash)", true)
};
static SERVICES_COMPANY_BRANCH: IndexDef =
    index("services_company_branch", "services", "(company_id, branch_id)", false);
static SERVICE_SYNONYMS_COMPANY: IndexDef =
    index("service_synonyms_company", "service_synonyms", "(company_id)", false);
static STAFF_COMPANY: IndexDef = index("staff_company", "staff", "(company_id, branch_id)", false);
static CUSTOMERS_COMPANY_PHONE: IndexDef =
    index("customers_company_phone", "customers", "(company_id, phone) WHERE phone IS NOT NULL", true);
static APPOINTMENTS_BUSY: IndexDef = index(
    "appointments_busy",
    "appointments",
    "(company_id, branch_id, starts_at, ends_at, staff_id) WHERE status = 'booked'",
    false,
);
static APPOINTMENTS_STAFF_TIME: IndexDef =
    index("appointments_staff_time", "appointments", "(staff_id, starts_at)", false);
static APPOINTMENTS_BRANCH_TIME: IndexDef =
    index("appointments_branch_time", "appointments", "(company_id, branch_id, starts_at)", false);
static APPOINTMENTS_CUSTOMER: IndexDef =
    index("appointments_customer", "appointments", "(company_id, customer_id, starts_at)", false);
static APPOINTMENTS_CALL: IndexDef =
    index("appointments_call", "appointments", "(company_id, call_id) WHERE call_id IS NOT NULL", false);
static APPOINTMENTS_EXTERNAL_UID: IndexDef = index(
    "appointments_external_uid",
    "appointments",
    "(company_id, external_uid) WHERE external_uid IS NOT NULL",
    true,
);
static SLOT_HOLDS_CALL: IndexDef = index("slot_holds_call", "slot_holds", "(company_id, call_id)", false);
static CALLS_COMPANY_CALL: IndexDef = IndexDef {
    constraint: constraint("sqlite_autoindex_calls_1", "calls_company_call"),
    ..index("calls_company_call", "calls", "(company_id, retell_call_id)", true)
};
static CALLS_COMPANY_TIME: IndexDef = index("calls_company_time", "calls", "(company_id, started_at)", false);
static WEBHOOK_EVENTS_DEDUPE: IndexDef = IndexDef {
    constraint: constraint("sqlite_autoindex_webhook_events_1", "webhook_events_company_dedupe_key"),
    ..index("webhook_events_company_dedupe_key", "webhook_events", "(company_id, dedupe_key)", true)
};

/// What a live call's functions name when they look up a first answer (any name plans alike).
const FUNCTION_NAME: &str = "check_availability";

static HOT_QUERIES: LazyLock<Vec<HotQuery>> = LazyLock::new(|| {
    use Param::{Int, Text};
    vec![
        HotQuery {
            name: "tenant_for_call:agent",
            purpose: "whose a call is, by the Retell agent that took it (every webhook and function call)",
            table: "agents",
            sql: TENANT_BY_AGENT,
            params: |r| vec![Text(r.retell_agent_id.clone())],
            index: &AGENTS_RETELL_ID,
        },
        HotQuery {
            name: "tenant_for_call:number",
            purpose: "whose a call is, by the registered number it was made to",
            table: "phone_numbers",
            sql: TENANT_BY_NUMBER,
            params: |r| vec![Text(r.number.clone())],
            index: &PHONE_NUMBERS_NUMBER,
        },
        HotQuery {
            name: "tenant_for_call:branch_phone",
            purpose: "whose a call is, by the branch phone it was made to",
            table: "branches",
            sql: TENANT_BY_BRANCH_PHONE,
            params: |r| vec![Text(r.number.clone())],
            index: &BRANCHES_PHONE,
        },
        HotQuery {
            name: "function_answer",
            purpose: "the first answer of a function call (every function call, via function_context)",
            table: "function_calls",
            sql: FUNCTION_ANSWER,
            params: |r| {
                vec![Int(r.company_id), Text(r.call_id.clone()), Text(FUNCTION_NAME.into()), Text(String::new())]
            },
            index: &FUNCTION_CALLS_KEY,
        },
        HotQuery {
            name: "services",
            purpose: "a branch's services, for matching what the caller asks for",
            table: "services",
            sql: SERVICES.as_str(),
            params: |r| vec![Int(r.company_id), Int(r.branch_id)],
            index: &SERVICES_COMPANY_BRANCH,
        },
        HotQuery {
            name: "company_synonyms",
            purpose: "a company's service synonyms, for matching what the caller asks for",
            table: "service_synonyms",
            sql: COMPANY_SYNONYMS,
            params: |r| vec![Int(r.company_id)],
            index: &SERVICE_SYNONYMS_COMPANY,
        },
        HotQuery {
            name: "staff_for_service",
            purpose: "who performs a service in a branch (availability and booking)",
            table: "staff",
            sql: STAFF_FOR_SERVICE.as_str(),
            params: |r| vec![Int(r.company_id), Int(r.branch_id), Int(r.service_id)],
            index: &STAFF_COMPANY,
        },
        HotQuery {
            name: "customer_by_phone",
            purpose: "the caller, by company and phone number",
            table: "customers",
            sql: CUSTOMER_BY_PHONE,
            params: |r| vec![Int(r.company_id), Text(r.phone.clone())],
            index: &CUSTOMERS_COMPANY_PHONE,
        },
        HotQuery {
            name: "busy_times",
            purpose: "booked appointments and holds in a window (every availability check)",
            table: "appointments",
            sql: BUSY_TIMES,
            params: |r| {
                let (from, to) = (r.now, r.now + DAY_MS);
                vec![
                    Int(r.company_id),
                    Int(r.branch_id),
                    Int(from),
                    Int(to),
                    Int(r.now),
                    Int(from - MAX_APPOINTMENT_MS),
                    Int(r.service_id),
                ]
            },
            index: &APPOINTMENTS_BUSY,
        },
        HotQuery {
            name: "branch_schedule",
            purpose: "a branch's booked times and holds in a window (the daemon's kept schedules)",
            table: "appointments",
            sql: BRANCH_SCHEDULE,
            params: |r| {
                let (from, to) = (r.now, r.now + DAY_MS);
                vec![
                    Int(r.company_id),
                    Int(r.branch_id),
                    Int(from),
                    Int(to),
                    Int(from - MAX_APPOINTMENT_MS),
                    Int(r.now),
                ]
            },
            index: &APPOINTMENTS_BUSY,
        },
        HotQuery {
            name: "staff_appointments",
            purpose: "a staff member's appointments in a window",
            table: "appointments",
            sql: STAFF_APPOINTMENTS.as_str(),
            params: |r| vec![Int(r.company_id), Int(r.staff_id), Int(r.now), Int(r.now + DAY_MS)],
            index: &APPOINTMENTS_STAFF_TIME,
        },
        HotQuery {
            name: "appointments",
            purpose: "a branch's appointments in a window (calendar listings)",
            table: "appointments",
            sql: BRANCH_APPOINTMENTS.as_str(),
            params: |r| vec![Int(r.company_id), Int(r.branch_id), Int(r.now), Int(r.now + DAY_MS)],
            index: &APPOINTMENTS_BRANCH_TIME,
        },
        HotQuery {
            name: "upcoming_appointments",
            purpose: "a caller's upcoming appointments (rescheduling and cancelling)",
            table: "appointments",
            sql: UPCOMING_APPOINTMENTS.as_str(),
            params: |r| vec![Int(r.company_id), Int(r.customer_id), Int(r.now)],
            index: &APPOINTMENTS_CUSTOMER,
        },
        HotQuery {
            name: "call_appointments",
            purpose: "the appointments a call booked",
            table: "appointments",
            sql: CALL_APPOINTMENTS.as_str(),
            params: |r| vec![Int(r.company_id), Text(r.call_id.clone())],
            index: &APPOINTMENTS_CALL,
        },
        HotQuery {
            name: "appointment_by_uid",
            purpose: "an appointment by its calendar backend's id (Cal.com webhooks)",
            table: "appointments",
            sql: APPOINTMENT_BY_UID.as_str(),
            params: |r| vec![Int(r.company_id), Text(r.external_uid.clone())],
            index: &APPOINTMENTS_EXTERNAL_UID,
        },
        HotQuery {
            name: "active_hold",
            purpose: "the slot a call holds (booking what was offered)",
            table: "slot_holds",
            sql: ACTIVE_HOLD.as_str(),
            params: |r| vec![Int(r.company_id), Text(r.call_id.clone()), Int(r.now)],
            index: &SLOT_HOLDS_CALL,
        },
        HotQuery {
            name: "call",
            purpose: "a call record by Retell's call id",
            table: "calls",
            sql: CALL_BY_RETELL_ID.as_str(),
            params: |r| vec![Int(r.company_id), Text(r.call_id.clone())],
            index: &CALLS_COMPANY_CALL,
        },
        HotQuery {
            name: "calls_started",
            purpose: "a company's calls by start time",
            table: "calls",
            sql: CALLS_STARTED.as_str(),
            params: |r| vec![Int(r.company_id), Int(r.now - DAY_MS), Int(r.now)],
            index: &CALLS_COMPANY_TIME,
        },
        HotQuery {
            name: "record_webhook_event",
            purpose: "the dedupe check of every webhook delivery: planned as a SELECT with the WHERE of \
                      the INSERT's conflict target (company_id, dedupe_key)",
            table: "webhook_events",
            sql: WEBHOOK_BY_DEDUPE_KEY,
            params: |r| vec![Int(r.company_id), Text(format!("retell:call_ended:{}", r.call_id))],
            index: &WEBHOOK_EVENTS_DEDUPE,
        },
    ]
});

/// Every hot-path statement askpro runs, with the index that serves it.
pub fn hot_queries() -> &'static [HotQuery] {
    &HOT_QUERIES
}

/// The indexes the hot queries need, each once.
pub fn hot_indexes() -> Vec<&'static IndexDef> {
    let mut all: Vec<&'static IndexDef> = Vec::new();
    for query in hot_queries() {
        if !all.iter().any(|d| d.name == query.index.name) {
            all.push(query.index);
        }
    }
    all
}
