//! PriMa – the measures catalogue and priority management of the digital strategy of Hamburg's
//! seven district offices. The binary in `main.rs` is a thin command line over this library;
//! tests build the same [`app`] the server runs.

pub mod accounts;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod export;
pub mod import;
pub mod rounds;
pub mod scoring;
pub mod server;
pub mod telemetry;
pub mod web;

pub use web::{AppState, app};
