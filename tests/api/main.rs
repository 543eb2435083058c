//! Integration tests over HTTP against a real PostgreSQL: the pages' content, errors, headers and
//! the probes.

#[path = "../support/mod.rs"]
mod support;

mod errors;
mod ops;
mod strategy;
