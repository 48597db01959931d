//! Local stand-ins for the services askpro talks to, for tests and benchmarks: each follows
//! the service's documented behaviour and listens on a loopback port.

pub mod calcom;
pub mod retell;
mod server;
