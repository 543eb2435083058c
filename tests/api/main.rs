//! Integration tests over HTTP against a real PostgreSQL: the pages' content, errors, headers and
//! the probes.

#[path = "../support/mod.rs"]
mod support;

mod admin;
mod auth;
mod criteria;
mod dashboard;
mod errors;
mod exports;
mod formatting;
mod fortschreibung;
mod imports;
mod iterations;
mod jobs;
mod measure_page;
mod measures;
mod object_rules;
mod ops;
mod permissions;
mod proposal_form;
mod public;
mod rounds;
mod security;
mod strategy;
