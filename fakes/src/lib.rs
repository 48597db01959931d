//! Local stand-ins for the services askpro talks to, for askpro's tests and benchmarks: each
//! follows the service's documented behaviour and listens on a loopback port. A crate of its
//! own, so that none of it ships in askpro's binaries.

pub mod calcom;
pub mod retell;
mod server;
