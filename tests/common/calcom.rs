//! Calendar test set-ups: a fake Cal.com team with one host (Anna) and one event type
//! (Herrenhaarschnitt), and the same salon in askpro, scheduling locally or in the fake.

use std::sync::Arc;

use askpro::calendar::{self, BookingRequest, Calendar, FreeSlot, Interval, SlotQuery};
use askpro::clients::calcom::{Client, ClientConfig};
use askpro::store::{self, Branch, Customer, PoolSize, Service, Store};
use askpro_fakes::calcom::{FakeCalcom, FakeEventType, FakeMember, Schedule, Settings};
use chrono::Utc;
use chrono_tz::Europe::Berlin;

use super::TestDb;

pub const TEAM: i64 = 77;
pub const EVENT_TYPE: i64 = 501;
pub const ANNA: i64 = 11;

/// A fake Cal.com whose team works `week` (`(weekday 0 = Monday, open, close)` in minutes,
/// Europe/Berlin), with Anna hosting a `length`-minute Herrenhaarschnitt.
pub fn salon(settings: Settings, week: Vec<(u32, u32, u32)>, length: i64, slot_interval: Option<i64>) -> FakeCalcom {
    let fake = FakeCalcom::start(settings, Schedule { tz: Berlin, hours: week });
    fake.with_model(|m| {
        m.members.push(FakeMember {
            user_id: ANNA,
            name: "Anna".into(),
            email: "anna@example.test".into(),
            username: "anna".into(),
            accepted: true,
            role: "MEMBER".into(),
        });
        m.event_types.push(FakeEventType {
            id: EVENT_TYPE,
            team_id: TEAM,
            title: "Herrenhaarschnitt".into(),
            slug: "herrenhaarschnitt".into(),
            length,
            price: Some(2500),
            hosts: vec![ANNA],
            slot_interval,
            minimum_booking_notice: 60,
        });
    });
    fake
}

impl TestDb {
    /// Creates a company that schedules in `fake` (team 77, the fake's key) and points every
    /// later `askpro` run at the fake; returns the company id.
    pub fn calcom_company(&self, name: &str, fake: &FakeCalcom) -> i64 {
        self.set_env("CALCOM_BASE_URL", &fake.url);
        let (team, key) = (TEAM.to_string(), fake.api_key());
        self.ok(&[
            "company:create",
            "--name",
            name,
            "-q",
            "--scheduling",
            "calcom",
            "--calcom-team-id",
            &team,
            "--calcom-api-key",
            &key,
        ])
        .trim()
        .parse()
        .unwrap()
    }
}

impl TestDb {
    /// Branch "Mitte" of `company` answering on `phone`, its haircut linked to the fake's event
    /// type 501 and performed by Anna (Cal.com user 11); returns the branch id.
    pub fn calcom_haircut_branch(&self, company: &str, phone: &str) -> String {
        let b = self.ok(&["branch:create", "--company-id", company, "--name", "Mitte", "--phone", phone, "-q"]);
        let service = ["--name", "Herrenhaarschnitt", "--duration", "30", "--calcom-event-type-id", "501"];
        self.ok(&[&["service:create", "--company-id", company][..], &service].concat());
        let anna =
            self.ok(&["staff:create", "--branch-id", b.trim(), "--name", "Anna", "--calcom-user-id", "11", "-q"]);
        self.ok(&["staff:assign-services", "--staff-id", anna.trim(), "--services", "all"]);
        b.trim().to_string()
    }
}

/// A company with one branch open `week`, one `length`-minute service (linked to the fake's
/// event type) and Anna performing it, scheduling locally or — when `fake` is given — in it.
pub struct Setup {
    pub store: Arc<dyn Store>,
    pub calendar: Arc<dyn Calendar>,
    pub branch: Branch,
    pub service: Service,
    pub customer: Customer,
    pub fake: Option<FakeCalcom>,
}

/// Opening hours as `(weekday 0 = Monday, open, close)` in minutes, for askpro and the fake.
pub type Week = Vec<(u32, u32, u32)>;

pub fn weekdays(open: u32, close: u32) -> Week {
    (0..5).map(|d| (d, open, close)).collect()
}

/// The seeds' business-hours JSON for a week (a list of shifts per day).
pub fn hours_json(week: &Week) -> String {
    let days = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
    let t = |m: u32| format!("{:02}:{:02}", m / 60, m % 60);
    let entries: Vec<String> = (0..7u32)
        .filter_map(|d| {
            let shifts: Vec<String> = week
                .iter()
                .filter(|(day, _, _)| *day == d)
                .map(|(_, o, c)| format!(r#"{{"open": "{}", "close": "{}"}}"#, t(*o), t(*c)))
                .collect();
            (!shifts.is_empty()).then(|| format!(r#""{}": [{}]"#, days[d as usize], shifts.join(", ")))
        })
        .collect();
    format!("{{{}}}", entries.join(", "))
}

pub async fn setup(db: &TestDb, week: &Week, length: u32, fake: Option<FakeCalcom>, client: ClientConfig) -> Setup {
    let c = match &fake {
        Some(f) => db.calcom_company("Salon calcom", f),
        None => db.ok(&["company:create", "--name", "Salon local", "-q"]).trim().parse().unwrap(),
    };
    let (cs, l) = (c.to_string(), length.to_string());
    db.ok(&["company:config", "--company-id", &cs, "--slot-step", &l, "--min-notice", "60"]);
    let hours = hours_json(week);
    let b: i64 = db
        .ok(&["branch:create", "--company-id", &cs, "--name", "Mitte", "--business-hours", &hours, "-q"])
        .trim()
        .parse()
        .unwrap();
    let et = EVENT_TYPE.to_string();
    let s: i64 = db
        .ok(&[
            "service:create",
            "--company-id",
            &cs,
            "--name",
            "Herrenhaarschnitt",
            "--duration",
            &l,
            "--calcom-event-type-id",
            &et,
            "-q",
        ])
        .trim()
        .parse()
        .unwrap();
    let anna = ANNA.to_string();
    let staff =
        db.ok(&["staff:create", "--branch-id", &b.to_string(), "--name", "Anna", "--calcom-user-id", &anna, "-q"]);
    db.ok(&["staff:assign-services", "--staff-id", staff.trim(), "--services", "all"]);

    let store = store::connect(&db.url, PoolSize(4)).await.unwrap();
    let company = store.company(c).await.unwrap().unwrap();
    let client =
        fake.as_ref().map(|f| Client::new(f.api_key(), ClientConfig { base_url: f.url.clone(), ..client }).unwrap());
    let calendar = calendar::for_company(store.clone(), &company, client, None).unwrap();
    let branch = store.branch(b).await.unwrap().unwrap();
    let service = store.service(s).await.unwrap().unwrap();
    let customer = store.upsert_customer(c, "+4930123456", Some("Max Muster")).await.unwrap();
    Setup { store, calendar, branch, service, customer, fake }
}

impl Setup {
    pub async fn free(&self, window: Interval) -> Vec<FreeSlot> {
        let now = Utc::now().timestamp_millis();
        let q = SlotQuery { branch: &self.branch, service: &self.service, window, staff_id: None, now };
        self.calendar.free_slots(&q).await.unwrap()
    }

    pub fn request<'a>(&'a self, start: i64, call: &'a str) -> BookingRequest<'a> {
        BookingRequest {
            branch: &self.branch,
            service: &self.service,
            start,
            staff_id: None,
            customer: &self.customer,
            call_id: call,
            now: Utc::now().timestamp_millis(),
        }
    }
}
