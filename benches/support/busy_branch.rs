//! the busy branch, shared by the benches: each staff member has 100 booked
//! appointments over the next 12 working days, at 09:00 + k·55 min, of 30 or 45 minutes.

use askpro::store::NewAppointment;

const DAY: i64 = 86_400_000;
const MINUTE: i64 = 60_000;

/// One staff member's 100 appointments from the instant of the first day's 09:00; `service`
/// picks the service of the i-th.
pub fn appointments(
    branch_id: i64,
    staff_id: i64,
    first_nine: i64,
    service: impl Fn(i64) -> i64,
) -> impl Iterator<Item = NewAppointment> {
    (0..100i64).map(move |i| {
        let d = i / 9 + (i / 9) / 6;
        let from = first_nine + d * DAY + (i % 9) * 55 * MINUTE;
        NewAppointment {
            branch_id,
            staff_id: Some(staff_id),
            service_id: Some(service(i)),
            customer_id: None,
            starts_at: from,
            ends_at: from + (30 + (i % 2) * 15) * MINUTE,
            status: "booked".into(),
            backend: "local".into(),
            external_uid: None,
            call_id: None,
        }
    })
}
