//! Browser tests in a real headless Chromium: accessibility (axe-core, WCAG 2.1 AA), keyboard
//! use, small screens, and the W3C Nu validator over every page.

#[path = "../support/mod.rs"]
mod support;

mod accessibility;
mod journeys;
mod validation;
