//! Clients for the services askpro talks to, each taking a base URL so tests can play them.

pub mod calcom;
pub mod daemon;
mod http;
pub mod observed;
pub mod retell;
