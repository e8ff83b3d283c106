//! Praxis: a practice-management server for clinics.
//!
//! The layers, from the outside in: `cli` and `http` parse what comes in and call `services`, which own the
//! rules and the transactions; `store` keeps the data on SQLite or PostgreSQL behind one API; the pure rules
//! live in the `praxis-domain` crate. `app` wires them together and `config` is the one place settings come from.

pub mod app;
pub mod cli;
pub mod config;
pub mod crypto;
pub mod http;
pub mod services;
pub mod store;
pub mod telemetry;
