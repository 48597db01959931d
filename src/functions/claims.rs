//! A function call that changes something (holds, books, moves, cancels, records a callback)
//! runs once per `(company, call, name, arguments)`, whoever sends it how often: Retell retries
//! a slow tool call, a load balancer may hand the retry to another daemon, and a daemon may die
//! half-way through.
//!
//! Before its handler runs, a call is *claimed* in the database until a lease ends; the run
//! then writes its answer in place of the claim. A duplicate that finds the claim waits for that
//! answer (polling, since the first run may be in another process) and returns it, so identical
//! requests get identical answers. A claim whose run died lapses when its lease ends, and the
//! next retry takes it over as a *resumed* run: the handlers look for what the dead run may
//! already have done (the call's appointment) before doing it again.
//!
//! Functions that only read are not claimed: their first stored answer wins, which the store's
//! answer write already ensures without an extra write on the hot path.

use std::time::{Duration, Instant};

use crate::app::App;
use crate::error::Result;
use crate::store::{now_ms, Claim, FunctionKey};

/// How long a waiting duplicate looks beyond its own deadline: the first run, which arrived
/// earlier, answers by its deadline plus the writing of a fallback and of its answer.
const WAIT_BEYOND_DEADLINE: Duration = Duration::from_millis(250);

/// How often a waiting duplicate looks for the answer.
const POLL: Duration = Duration::from_millis(20);

/// Whether the function changes something, and so runs under a claim.
pub fn has_effect(name: &str) -> bool {
    matches!(
        name,
        "start_booking"
            | "confirm_booking"
            | "book_appointment"
            | "cancel_appointment"
            | "reschedule_appointment"
            | "request_callback"
    )
}

/// How long a claim holds: longer than any run takes (its deadline, then a fallback and the
/// answer's write), short enough that a retry after a crash soon takes over.
pub fn lease(deadline: Duration) -> Duration {
    deadline * 2 + Duration::from_secs(1)
}

/// What a request that claims a function call goes on with.
#[derive(Debug)]
pub enum Turn {
    /// Run the handler (`resumed`: an earlier run died holding the claim).
    Run { resumed: bool },
    /// Another run answered: give its answer.
    Answered(String),
    /// Another run is still going beyond this request's deadline.
    StillRunning,
}

/// Claims `key` for a request that arrived at `started`, waiting up to its deadline for a run
/// already under way.
pub async fn claim(app: &App, key: &FunctionKey, started: Instant, deadline: Duration) -> Result<Turn> {
    let lease_ms = i64::try_from(lease(deadline).as_millis()).unwrap_or(i64::MAX / 2);
    let give_up = started + deadline + WAIT_BEYOND_DEADLINE;
    loop {
        let now = now_ms();
        let until = match app.store.claim_function(key, now, now + lease_ms).await? {
            Claim::Won { resumed } => return Ok(Turn::Run { resumed }),
            Claim::Answered(answer) => return Ok(Turn::Answered(answer)),
            Claim::Running { until } => until,
        };
        // Wait for the answer, or for the claim to lapse (then claim again).
        loop {
            if Instant::now() >= give_up {
                return Ok(Turn::StillRunning);
            }
            tokio::time::sleep(POLL).await;
            if let Some(answer) = app.store.function_answer(key).await? {
                return Ok(Turn::Answered(answer));
            }
            if now_ms() >= until {
                break;
            }
        }
    }
}
