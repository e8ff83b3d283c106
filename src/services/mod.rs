//! The services own the rules and the transactions, one module per capability. They take plain inputs,
//! never HTTP types, and return domain values or typed errors.

pub mod access;
pub mod audit;
pub mod codes;
pub mod contacts;
pub mod data_subject;
pub mod demo;
pub mod error;
pub mod events;
pub mod health;
pub mod idempotency;
pub mod keys;
pub mod organizations;
pub mod page;
pub mod patients;
pub mod queue;
pub mod record_keys;
pub mod scheduling;
