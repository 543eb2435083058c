//! PriMa prioritisation: pure functions that turn assessments, criteria and weights into a
//! ranking, as `../shared/METHOD.md` and `docs/prioritisation.md` describe them. No I/O, no
//! HTTP, no clock and no global random generator live here (a test reads this folder to keep it
//! so); handlers and the database call in with plain data.
//!
//! - `values`: half points, the consolidated value of a criterion (median or final value), the
//!   spread and the disagreement rule;
//! - `ranking`: the score in integers, tiers, the total order, classes and quadrants;
//! - `round`: a round's evaluation from the raters' values: consolidated values, spreads,
//!   disagreement flags, the ranking;
//! - `robustness`: SMAA-2 rank acceptabilities over sampled weights and values, seeded;
//! - `tipping`: the weight of one criterion at which two measures swap, and the weight stability
//!   intervals of the first k;
//! - `what_if`: the ranking under other weights and its movements against the agreed one;
//! - `comparison`: two rankings compared (new, dropped, moved up or down).

pub mod comparison;
pub mod ranking;
pub mod robustness;
pub mod round;
pub mod tipping;
pub mod values;
pub mod what_if;

#[cfg(test)]
mod properties;

pub use ranking::{
    Candidate, Class, ClassRule, Criterion, Group, Quadrant, Ranked, Score20, Tier, rank, score,
};
pub use values::{Consolidated, HalfPoints, Origin, Spread, consolidate, spread};
