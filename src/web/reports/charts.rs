//! The geometry of the dashboard's charts: pure functions from counts to coordinates, so that
//! the templates only place what is computed here. Every chart is an SVG with `role="img"`, a
//! title and a description; its numbers stand in a table beside it.

use chrono::{Datelike, NaiveDate};

use crate::db::dashboard::MonthStates;
use crate::domain::implementation::State;
use crate::domain::lifecycle::Status;

/// The statuses grouped as the status chart shows them, in the order of their segments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusGroup {
    Proposed,
    Accepted,
    InProgress,
    Implemented,
    Deferred,
    Closed,
}

impl StatusGroup {
    pub const ALL: [Self; 6] = [
        Self::Proposed,
        Self::Accepted,
        Self::InProgress,
        Self::Implemented,
        Self::Deferred,
        Self::Closed,
    ];

    pub fn of(status: Status) -> Option<Self> {
        Some(match status {
            Status::Draft => return None,
            Status::Submitted | Status::InReview => Self::Proposed,
            Status::Accepted => Self::Accepted,
            Status::InProgress => Self::InProgress,
            Status::Implemented => Self::Implemented,
            Status::Deferred => Self::Deferred,
            Status::Rejected | Status::Merged | Status::Discontinued => Self::Closed,
        })
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Proposed => "eingereicht oder in Prüfung",
            Self::Accepted => "angenommen",
            Self::InProgress => "in Umsetzung",
            Self::Implemented => "umgesetzt",
            Self::Deferred => "zurückgestellt",
            Self::Closed => "abgelehnt, eingestellt oder zusammengeführt",
        }
    }

    /// The CSS class of its colour (static/css/prima.css, `.chart-fill--…`).
    pub fn slug(self) -> &'static str {
        match self {
            Self::Proposed => "proposed",
            Self::Accepted => "accepted",
            Self::InProgress => "in-progress",
            Self::Implemented => "implemented",
            Self::Deferred => "deferred",
            Self::Closed => "closed",
        }
    }
}

/// Where the bars of a horizontal bar chart start and how wide they may grow.
pub const BAR_LEFT: i64 = 230;
pub const BAR_WIDTH: i64 = 560;
/// Height of a bar's line.
pub const BAR_LINE: i64 = 30;

/// One coloured part of a stacked bar.
#[derive(Debug, Clone)]
pub struct Segment {
    pub group: StatusGroup,
    pub count: i64,
    pub x: i64,
    pub width: i64,
}

/// The segments of a bar of `counts` (one per group, in [`StatusGroup::ALL`]'s order), scaled
/// so that `max` fills the width; empty groups are left out.
pub fn stacked(counts: &[i64; 6], max: i64) -> Vec<Segment> {
    let mut x = BAR_LEFT;
    let mut sum = 0;
    let mut segments = Vec::new();
    for (group, count) in StatusGroup::ALL.into_iter().zip(counts) {
        if *count == 0 {
            continue;
        }
        // Ends are rounded from the running sum, so the parts add up to the whole bar.
        let start = x;
        sum += count;
        let end = BAR_LEFT + scale(sum, max, BAR_WIDTH);
        x = end;
        segments.push(Segment {
            group,
            count: *count,
            x: start,
            width: (end - start).max(1),
        });
    }
    segments
}

/// `value` of `max` on a scale of `length` (0 for an empty chart).
pub fn scale(value: i64, max: i64, length: i64) -> i64 {
    if max <= 0 {
        return 0;
    }
    (value * length + max / 2) / max
}

/// A column of the progress chart: a month's bar, its parts from the bottom.
#[derive(Debug, Clone)]
pub struct MonthColumn {
    pub label: String,
    pub long_label: String,
    pub x: i64,
    pub total: i64,
    /// (state, count, y, height), done at the bottom.
    pub parts: Vec<(State, i64, i64, i64)>,
    pub figures: MonthStates,
}

/// Height of the progress chart's plot and where it starts.
pub const PLOT_TOP: i64 = 20;
pub const PLOT_HEIGHT: i64 = 220;
pub const COLUMN_STEP: i64 = 56;
pub const PLOT_LEFT: i64 = 50;

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mär", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez",
];
fn month_label(month: NaiveDate) -> (String, String) {
    let index = month.month0() as usize;
    (
        format!("{} {:02}", MONTHS[index], month.year() % 100),
        crate::domain::time::month_year(month),
    )
}

/// The columns of the progress chart, scaled to the fullest month (and its scale's top).
pub fn month_columns(months: &[MonthStates]) -> (Vec<MonthColumn>, i64) {
    let top = nice_top(
        months
            .iter()
            .map(|month| month.planned + month.in_progress + month.done)
            .max()
            .unwrap_or(0),
    );
    let columns = months
        .iter()
        .enumerate()
        .map(|(index, month)| {
            let mut bottom = PLOT_TOP + PLOT_HEIGHT;
            let mut sum = 0;
            let mut parts = Vec::new();
            for (state, count) in [
                (State::Done, month.done),
                (State::InProgress, month.in_progress),
                (State::Planned, month.planned),
            ] {
                if count == 0 {
                    continue;
                }
                sum += count;
                let y = PLOT_TOP + PLOT_HEIGHT - scale(sum, top, PLOT_HEIGHT);
                parts.push((state, count, y, (bottom - y).max(1)));
                bottom = y;
            }
            let (label, long_label) = month_label(month.month);
            MonthColumn {
                label,
                long_label,
                x: PLOT_LEFT + 8 + index as i64 * COLUMN_STEP,
                total: sum,
                parts,
                figures: month.clone(),
            }
        })
        .collect();
    (columns, top)
}

/// The smallest of 1, 2, 5 times a power of ten at or above `max` (at least 5): a scale's top
/// that reads well.
pub fn nice_top(max: i64) -> i64 {
    let mut step = 1;
    loop {
        for factor in [1, 2, 5] {
            if factor * step >= max.max(5) {
                return factor * step;
            }
        }
        step *= 10;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_parts_of_a_bar_fill_exactly_its_share_of_the_width() {
        let segments = stacked(&[3, 0, 2, 1, 0, 1], 14);
        assert_eq!(segments.len(), 4, "empty groups have no part");
        assert_eq!(segments[0].x, BAR_LEFT);
        for pair in segments.windows(2) {
            assert_eq!(pair[0].x + pair[0].width, pair[1].x, "no gap, no overlap");
        }
        let last = segments.last().expect("a part");
        assert_eq!(
            last.x + last.width,
            BAR_LEFT + BAR_WIDTH / 2,
            "7 of 14: half"
        );
        assert!(stacked(&[0; 6], 0).is_empty());
    }

    #[test]
    fn a_scale_ends_on_a_round_number() {
        assert_eq!(nice_top(0), 5);
        assert_eq!(nice_top(7), 10);
        assert_eq!(nice_top(11), 20);
        assert_eq!(nice_top(20), 20);
        assert_eq!(nice_top(301), 500);
    }

    #[test]
    fn months_are_stacked_from_the_bottom_done_first() {
        let month = NaiveDate::from_ymd_opt(2026, 3, 1).expect("a date");
        let (columns, top) = month_columns(&[MonthStates {
            month,
            planned: 2,
            in_progress: 3,
            done: 5,
        }]);
        assert_eq!(top, 10);
        let column = &columns[0];
        assert_eq!(column.label, "Mär 26");
        assert_eq!(column.long_label, "März 2026");
        assert_eq!(column.parts[0].0, State::Done);
        assert_eq!(
            column.parts[0].2 + column.parts[0].3,
            PLOT_TOP + PLOT_HEIGHT
        );
        assert_eq!(column.parts[2].2, PLOT_TOP, "full to the top");
    }
}
