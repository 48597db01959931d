//! The local calendar: appointments, the holds a call puts on a slot, and the busy times slots
//! are computed from.
//!
//! The database itself refuses overlapping bookings, and overlapping holds, of one staff member
//! (triggers on SQLite, exclusion constraints on PostgreSQL; migrations 0002 and 0003). On
//! PostgreSQL two such writes can abort each other as a deadlock, so booking, moving and holding
//! run through [`again_if_transient`](super::again_if_transient).

use std::sync::LazyLock;

pub(in crate::store) const HOLD_COLUMNS: &str =
    "id, company_id, branch_id, staff_id, service_id, call_id, starts_at, ends_at, expires_at, external_uid, customer_id";

pub(in crate::store) const APPOINTMENT_SELECT: &str =
    "SELECT a.id, a.company_id, a.branch_id, a.staff_id, st.name AS staff_name, \
     a.service_id, sv.name AS service_name, a.customer_id, c.name AS customer_name, c.phone AS customer_phone, \
     a.starts_at, a.ends_at, a.status, a.backend, a.external_uid, a.call_id, a.cancel_reason \
     FROM appointments a LEFT JOIN staff st ON st.id = a.staff_id LEFT JOIN services sv ON sv.id = a.service_id \
     LEFT JOIN customers c ON c.id = a.customer_id";

/// Booked appointments and unexpired holds of branch `$2` overlapping `[$3, $4)` at `$5`, of staff
/// who perform service `$7` (a list built once per read, not a lookup per row); `$6` (`$3` less
/// [`MAX_APPOINTMENT_MS`]) bounds the index range to the window instead of all history.
/// Also read inline (`inline.rs`).
pub(in crate::store) const BUSY_TIMES: &str =
    "SELECT id AS appointment_id, staff_id, starts_at, ends_at FROM appointments \
     WHERE company_id = $1 AND branch_id = $2 AND starts_at >= $6 AND starts_at < $4 \
     AND ends_at > $3 AND status = 'booked' \
     AND staff_id IN (SELECT staff_id FROM staff_services WHERE company_id = $1 AND service_id = $7) \
     UNION ALL \
     SELECT CAST(NULL AS BIGINT) AS appointment_id, staff_id, starts_at, ends_at FROM slot_holds \
     WHERE company_id = $1 AND branch_id = $2 AND expires_at > $5 AND starts_at < $4 AND ends_at > $3 \
     AND staff_id IN (SELECT staff_id FROM staff_services WHERE company_id = $1 AND service_id = $7)";

/// Every staff member's booked appointments and unexpired (at `$6`) holds of branch `$2`
/// overlapping `[$3, $4)`; `$5` bounds the index range as in [`BUSY_TIMES`].
/// Also read inline (`inline.rs`).
pub(in crate::store) const BRANCH_SCHEDULE: &str = "SELECT id AS appointment_id, staff_id, starts_at, ends_at, \
     CAST(NULL AS BIGINT) AS expires_at FROM appointments \
     WHERE company_id = $1 AND branch_id = $2 AND starts_at >= $5 AND starts_at < $4 \
     AND ends_at > $3 AND status = 'booked' AND staff_id IS NOT NULL \
     UNION ALL \
     SELECT CAST(NULL AS BIGINT) AS appointment_id, staff_id, starts_at, ends_at, expires_at FROM slot_holds \
     WHERE company_id = $1 AND branch_id = $2 AND expires_at > $6 AND starts_at < $4 AND ends_at > $3 \
     AND staff_id IS NOT NULL";

/// The booked appointments call `$2` made, newest first.
pub(in crate::store) static CALL_APPOINTMENTS: LazyLock<String> = LazyLock::new(|| {
    format!(
        "{APPOINTMENT_SELECT} WHERE a.company_id = $1 AND a.call_id = $2 AND a.status = 'booked' ORDER BY a.id DESC"
    )
});

/// The appointment a calendar backend knows as `$2`.
pub(in crate::store) static APPOINTMENT_BY_UID: LazyLock<String> =
    LazyLock::new(|| format!("{APPOINTMENT_SELECT} WHERE a.company_id = $1 AND a.external_uid = $2"));

/// Staff member `$2`'s appointments (any status) starting in `[$3, $4)`, by start.
pub(in crate::store) static STAFF_APPOINTMENTS: LazyLock<String> = LazyLock::new(|| {
    format!(
        "{APPOINTMENT_SELECT} WHERE a.company_id = $1 AND a.staff_id = $2 AND a.starts_at >= $3 \
         AND a.starts_at < $4 ORDER BY a.starts_at, a.id"
    )
});

/// Branch `$2`'s appointments (any status) starting in `[$3, $4)`, by start.
pub(in crate::store) static BRANCH_APPOINTMENTS: LazyLock<String> = LazyLock::new(|| {
    format!(
        "{APPOINTMENT_SELECT} WHERE a.company_id = $1 AND a.branch_id = $2 AND a.starts_at >= $3 \
         AND a.starts_at < $4 ORDER BY a.starts_at, a.id"
    )
});

/// Customer `$2`'s booked appointments that end after `$3`, soonest first.
pub(in crate::store) static UPCOMING_APPOINTMENTS: LazyLock<String> = LazyLock::new(|| {
    format!(
        "{APPOINTMENT_SELECT} WHERE a.company_id = $1 AND a.customer_id = $2 AND a.status = 'booked' \
         AND a.ends_at > $3 ORDER BY a.starts_at, a.id LIMIT 50"
    )
});

/// Call `$2`'s hold, unless it expired before `$3`.
pub(in crate::store) static ACTIVE_HOLD: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {HOLD_COLUMNS} FROM slot_holds WHERE company_id = $1 AND call_id = $2 AND expires_at > $3 \
         ORDER BY id DESC LIMIT 1"
    )
});

/// No appointment lasts longer than a day; busy-time reads rely on it to bound their range.
pub(in crate::store) const MAX_APPOINTMENT_MS: i64 = 86_400_000;

/// [`CalendarStore`](crate::store::CalendarStore) for a store type and its sqlx database (see `sql_store!`).
macro_rules! calendar_sql {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::CalendarStore for $store {
            async fn insert_appointment(&self, company_id: i64, a: &NewAppointment) -> Result<i64> {
                again_if_transient(|| self.insert_appointment_once(company_id, a, false)).await
            }

            async fn book_hold(&self, company_id: i64, a: &NewAppointment) -> Result<i64> {
                if a.call_id.is_none() {
                    return Err(Error::internal("a held slot is booked for its call, and this appointment names none"));
                }
                again_if_transient(|| self.insert_appointment_once(company_id, a, true)).await
            }

            async fn call_appointments(&self, company_id: i64, call_id: &str) -> Result<Vec<Appointment>> {
                Ok(sqlx::query_as(&CALL_APPOINTMENTS).bind(company_id).bind(call_id).fetch_all(&self.pool).await?)
            }

            async fn busy_times(
                &self,
                company_id: i64,
                branch_id: i64,
                service_id: i64,
                from: i64,
                to: i64,
                now: i64,
            ) -> Result<Vec<BusyTime>> {
                if let Some(inline) = self.inline() {
                    return inline.busy_times([company_id, branch_id, service_id], from, to, now);
                }
                Ok(sqlx::query_as(BUSY_TIMES)
                    .bind(company_id)
                    .bind(branch_id)
                    .bind(from)
                    .bind(to)
                    .bind(now)
                    .bind(from - MAX_APPOINTMENT_MS)
                    .bind(service_id)
                    .fetch_all(&self.pool)
                    .await?)
            }

            async fn branch_schedule(&self, company_id: i64, branch_id: i64, from: i64, to: i64, now: i64) -> Result<Vec<ScheduleEntry>> {
                if let Some(inline) = self.inline() {
                    return inline.branch_schedule([company_id, branch_id], from, to, now);
                }
                Ok(sqlx::query_as(BRANCH_SCHEDULE)
                    .bind(company_id)
                    .bind(branch_id)
                    .bind(from)
                    .bind(to)
                    .bind(from - MAX_APPOINTMENT_MS)
                    .bind(now)
                    .fetch_all(&self.pool)
                    .await?)
            }

            async fn hold_slot(&self, company_id: i64, h: &NewHold, now: i64) -> Result<Hold> {
                // Concurrent holds on PostgreSQL can also deadlock on each other's deleted rows.
                again_if_transient(|| self.hold_slot_once(company_id, h, now)).await
            }

            async fn active_hold(&self, company_id: i64, call_id: &str, now: i64) -> Result<Option<Hold>> {
                Ok(sqlx::query_as(&ACTIVE_HOLD).bind(company_id).bind(call_id).bind(now).fetch_optional(&self.pool).await?)
            }

            async fn appointment(&self, company_id: i64, id: i64) -> Result<Option<Appointment>> {
                let sql = format!("{APPOINTMENT_SELECT} WHERE a.company_id = $1 AND a.id = $2");
                Ok(sqlx::query_as(&sql).bind(company_id).bind(id).fetch_optional(&self.pool).await?)
            }

            async fn appointment_by_uid(&self, company_id: i64, uid: &str) -> Result<Option<Appointment>> {
                Ok(sqlx::query_as(&APPOINTMENT_BY_UID).bind(company_id).bind(uid).fetch_optional(&self.pool).await?)
            }

            async fn appointments(&self, company_id: i64, branch_id: i64, from: i64, to: i64) -> Result<Vec<Appointment>> {
                Ok(sqlx::query_as(&BRANCH_APPOINTMENTS).bind(company_id).bind(branch_id).bind(from).bind(to).fetch_all(&self.pool).await?)
            }

            async fn staff_appointments(
                &self,
                company_id: i64,
                staff_id: i64,
                from: i64,
                to: i64,
            ) -> Result<Vec<Appointment>> {
                Ok(sqlx::query_as(&STAFF_APPOINTMENTS).bind(company_id).bind(staff_id).bind(from).bind(to).fetch_all(&self.pool).await?)
            }

            async fn upcoming_appointments(&self, company_id: i64, customer_id: i64, now: i64) -> Result<Vec<Appointment>> {
                Ok(sqlx::query_as(&UPCOMING_APPOINTMENTS).bind(company_id).bind(customer_id).bind(now).fetch_all(&self.pool).await?)
            }

            async fn move_appointment(&self, company_id: i64, id: i64, to: &AppointmentMove) -> Result<Appointment> {
                again_if_transient(|| self.move_appointment_once(company_id, id, to)).await
            }

            async fn cancel_appointment(&self, company_id: i64, id: i64, reason: Option<&str>) -> Result<Appointment> {
                let cancelled = sqlx::query(
                    "UPDATE appointments SET status = 'cancelled', cancel_reason = $3, updated_at = $4 \
                     WHERE company_id = $1 AND id = $2 AND status = 'booked'",
                )
                .bind(company_id)
                .bind(id)
                .bind(reason)
                .bind(now_ms())
                .execute(&mut *self.writing().await?)
                .await?;
                self.updated_booking(cancelled.rows_affected(), company_id, id).await
            }
        }

        impl $store {
            /// Inserts `a` (and marks its call booked); with `release_holds`, also deletes its
            /// call's holds, in the same transaction.
            async fn insert_appointment_once(&self, company_id: i64, a: &NewAppointment, release_holds: bool) -> Result<i64> {
                let now = now_ms();
                let mut tx = self.begin_write().await?;
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO appointments (company_id, branch_id, staff_id, service_id, customer_id, starts_at, ends_at, \
                     status, backend, external_uid, call_id, created_at, updated_at) \
                     SELECT $1, b.id, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12 FROM branches b \
                     WHERE b.company_id = $1 AND b.id = $2 RETURNING id",
                )
                .bind(company_id)
                .bind(a.branch_id)
                .bind(a.staff_id)
                .bind(a.service_id)
                .bind(a.customer_id)
                .bind(a.starts_at)
                .bind(a.ends_at)
                .bind(&a.status)
                .bind(&a.backend)
                .bind(&a.external_uid)
                .bind(&a.call_id)
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| Error::not_found(format!("company {company_id} has no branch {}", a.branch_id)))?;
                if let Some(call_id) = &a.call_id {
                    // A booking that lands after its call's events (a Cal.com booking mirrored
                    // from its webhook) still counts for the call.
                    sqlx::query(
                        "UPDATE calls SET booked = TRUE, updated_at = $3 \
                         WHERE company_id = $1 AND retell_call_id = $2 AND NOT booked",
                    )
                    .bind(company_id)
                    .bind(call_id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                    if release_holds {
                        sqlx::query("DELETE FROM slot_holds WHERE company_id = $1 AND call_id = $2")
                            .bind(company_id)
                            .bind(call_id)
                            .execute(&mut *tx)
                            .await?;
                    }
                }
                tx.commit().await?;
                Ok(id)
            }

            async fn move_appointment_once(&self, company_id: i64, id: i64, to: &AppointmentMove) -> Result<Appointment> {
                let moved = sqlx::query(
                    "UPDATE appointments SET staff_id = $3, starts_at = $4, ends_at = $5, \
                     external_uid = COALESCE($6, external_uid), updated_at = $7 \
                     WHERE company_id = $1 AND id = $2 AND status = 'booked'",
                )
                .bind(company_id)
                .bind(id)
                .bind(to.staff_id)
                .bind(to.starts_at)
                .bind(to.ends_at)
                .bind(&to.external_uid)
                .bind(now_ms())
                .execute(&mut *self.writing().await?)
                .await?;
                self.updated_booking(moved.rows_affected(), company_id, id).await
            }

            /// The booked appointment an UPDATE changed (`changed` rows), read back; not found
            /// when the UPDATE matched none.
            async fn updated_booking(&self, changed: u64, company_id: i64, id: i64) -> Result<Appointment> {
                if changed == 0 {
                    return Err(Error::not_found(format!("no booked appointment {id} in company {company_id}")));
                }
                self.appointment(company_id, id).await?.ok_or_else(|| Error::internal("appointment vanished after update"))
            }

            async fn hold_slot_once(&self, company_id: i64, h: &NewHold, now: i64) -> Result<Hold> {
                let mut tx = self.begin_write().await?;
                if let (Some(lock), Some(staff_id)) = (Self::LOCK_STAFF, h.staff_id) {
                    sqlx::query(lock).bind(company_id).bind(staff_id).execute(&mut *tx).await?;
                }
                // The call's earlier hold, and expired holds that would stand in this one's way
                // (the same staff member): only rows this hold is about, so concurrent holds for
                // other staff never wait on each other here.
                sqlx::query(
                    "DELETE FROM slot_holds WHERE company_id = $1 \
                     AND (call_id = $2 OR (expires_at <= $3 AND staff_id IS NOT DISTINCT FROM $4))",
                )
                .bind(company_id)
                .bind(&h.call_id)
                .bind(now)
                .bind(h.staff_id)
                .execute(&mut *tx)
                .await?;
                if let Some(staff_id) = h.staff_id {
                    let booked: Option<i64> = sqlx::query_scalar(
                        "SELECT id FROM appointments WHERE company_id = $1 AND staff_id = $2 AND status = 'booked' \
                         AND backend = 'local' AND starts_at < $4 AND ends_at > $3 LIMIT 1",
                    )
                    .bind(company_id)
                    .bind(staff_id)
                    .bind(h.starts_at)
                    .bind(h.ends_at)
                    .fetch_optional(&mut *tx)
                    .await?;
                    if booked.is_some() {
                        return Err(Error::conflict("that time is already booked for this staff member"));
                    }
                }
                let sql = format!(
                    "INSERT INTO slot_holds (company_id, branch_id, staff_id, service_id, call_id, starts_at, ends_at, \
                     expires_at, external_uid, created_at, customer_id) \
                     SELECT $1, b.id, $3, $4, $5, $6, $7, $8, $9, $10, $11 FROM branches b WHERE b.company_id = $1 AND b.id = $2 \
                     RETURNING {HOLD_COLUMNS}"
                );
                let hold: Option<Hold> = sqlx::query_as(&sql)
                    .bind(company_id)
                    .bind(h.branch_id)
                    .bind(h.staff_id)
                    .bind(h.service_id)
                    .bind(&h.call_id)
                    .bind(h.starts_at)
                    .bind(h.ends_at)
                    .bind(h.expires_at)
                    .bind(&h.external_uid)
                    .bind(now)
                    .bind(h.customer_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                let hold =
                    hold.ok_or_else(|| Error::not_found(format!("company {company_id} has no branch {}", h.branch_id)))?;
                tx.commit().await?;
                Ok(hold)
            }
        }
    };
}

pub(in crate::store) use calendar_sql;
