//! The domain of Praxis: value types and rules that hold whatever stores or serves them.
//!
//! Nothing here does I/O. Every type that can be constructed from outside validates its input, so a value
//! of it is valid by construction.

pub mod access;
pub mod audit;
pub mod email;
pub mod identifier;
pub mod organization;
pub mod password;
pub mod patient;
pub mod queue;
