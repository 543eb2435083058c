//! Shared test harness: a real PostgreSQL (the embedded cluster, one per test binary, a fresh
//! database per test), the real application on a real TCP port, and helpers for HTML and
//! browsers. Each test binary includes this module and uses only part of it.
#![allow(
    dead_code,
    unused_imports,
    reason = "each test binary uses a different part of the harness"
)]

pub mod accounts;
pub mod browser;
pub mod cluster;
pub mod html;
pub mod http;
pub mod logs;
pub mod pages;
pub mod pdf;
pub mod process;
pub mod schema;

pub use http::{TestApp, spawn_app, spawn_app_with};
