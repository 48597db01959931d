//! Store rows for tests that write through the store directly: a German company on the local
//! calendar, a branch in Berlin.

use askpro::store::{CompanyPatch, NewBranch, NewCompany};

pub fn company(name: &str) -> NewCompany {
    NewCompany {
        name: name.into(),
        name_key: name.to_lowercase(),
        email: None,
        phone: None,
        country: "DE".into(),
        timezone: "Europe/Berlin".into(),
        industry: None,
        scheduling: "local".into(),
        calcom_team_id: None,
        calcom_api_key: None,
        retell_api_key: None,
        settings: CompanyPatch::default(),
    }
}

pub fn branch(name: &str) -> NewBranch {
    NewBranch {
        name: name.into(),
        name_key: name.to_lowercase(),
        address: None,
        phone: None,
        email: None,
        timezone: "Europe/Berlin".into(),
        business_hours: "{}".into(),
    }
}
