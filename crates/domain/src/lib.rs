//! The domain of Praxis: value types and rules that hold whatever stores or serves them.
//!
//! Nothing here does I/O. Every type that can be constructed from outside validates its input, so a value
//! of it is valid by construction.

#[macro_use]
mod coded;

pub mod access;
pub mod appointment;
pub mod audit;
pub mod clinical;
pub mod codes;
pub mod email;
pub mod idempotency;
pub mod identifier;
pub mod organization;
pub mod password;
pub mod patient;
pub mod queue;
pub mod schedule;
