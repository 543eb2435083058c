//! A score explained: each criterion's contribution as a bar (server-rendered SVG, with the
//! numbers in a table beside it), on the round's page of a measure and on the measure's own
//! page for the ranking decided last.

use crate::domain::prioritisation::criteria::{CriterionGroup, CriterionSpec};
use crate::scoring::ranking::contributions;
use crate::scoring::values::HalfPoints;

/// One criterion's bar.
#[derive(Debug, Clone)]
pub struct Bar {
    pub name: String,
    pub group: &'static str,
    pub weight: u8,
    /// The consolidated value as people read it ("7,5"), or "kein Wert".
    pub value: String,
    /// The part of the score, in twentieths of a point.
    pub contribution: Option<u16>,
    /// The largest weight of the catalogue (the chart's scale).
    pub heaviest: u8,
}

impl Bar {
    pub fn contribution_text(&self) -> String {
        self.contribution
            .map_or_else(|| "–".to_owned(), super::round::score_text)
    }

    /// The chart's scale: the heaviest criterion's bar is 240 units long (of the chart's 320),
    /// so a criterion's bar shows its largest possible part (its weight) in the background and
    /// what it reached in front, comparable across criteria.
    pub fn max_width(&self) -> u32 {
        u32::from(self.weight) * 240 / u32::from(self.heaviest.max(1))
    }

    pub fn bar_width(&self) -> u32 {
        let max = u32::from(self.weight) * 20;
        match self.contribution {
            Some(part) if max > 0 => self.max_width() * u32::from(part) / max,
            _ => 0,
        }
    }
}

/// A criterion as a bar needs it: name, group and weight.
pub type Brief<'a> = (&'a str, CriterionGroup, u8);

/// The criteria of a catalogue version as bars need them.
pub fn briefs(criteria: &[CriterionSpec]) -> Vec<Brief<'_>> {
    criteria
        .iter()
        .map(|c| (c.name.as_str(), c.group, c.weight))
        .collect()
}

/// The bars of a measure with `values` (consolidated, in the criteria's order).
pub fn bars(criteria: &[Brief<'_>], values: &[Option<HalfPoints>]) -> Vec<Bar> {
    let scoring: Vec<_> = criteria
        .iter()
        .map(|(_, group, weight)| crate::scoring::Criterion {
            group: group.scoring(),
            weight: *weight,
        })
        .collect();
    let parts = contributions(&scoring, values);
    let heaviest = criteria.iter().map(|c| c.2).max().unwrap_or(1);
    criteria
        .iter()
        .zip(values)
        .zip(parts)
        .map(|(((name, group, weight), value), contribution)| Bar {
            name: (*name).to_owned(),
            group: group.label(),
            weight: *weight,
            value: value.map_or_else(
                || "kein Wert".to_owned(),
                |value| points_text(value.half_points()),
            ),
            contribution,
            heaviest,
        })
        .collect()
}

/// Half points as points for people: "7,5", "7".
pub fn points_text(half_points: u8) -> String {
    crate::web::format::decimal(i64::from(half_points) * 5, 1)
        .trim_end_matches(",0")
        .to_owned()
}

/// A measure's place in the ranking decided last, explained (the measure's page).
#[derive(Debug, Clone)]
pub struct Prioritised {
    pub round: crate::domain::ids::RoundId,
    pub round_name: String,
    /// "beschlossen am 01.12.2026 von der Konferenz …".
    pub decision: String,
    /// "Rang 4 von 34: 62,00 Punkte, Klasse B".
    pub standing: String,
    /// Empty for a measure without a score (the chart would say nothing).
    pub bars: Vec<Bar>,
}

impl Prioritised {
    pub fn from_decided(decided: &crate::db::rounds::Decided) -> Option<Self> {
        let criteria: Vec<Brief<'_>> = decided
            .criteria
            .iter()
            .map(|c| (c.name.as_str(), c.group, c.weight))
            .collect();
        let stored: Vec<Option<crate::rounds::StoredValue>> = decided
            .consolidated
            .clone()
            .and_then(|json| serde_json::from_value(json).ok())
            .unwrap_or_default();
        let values: Vec<Option<HalfPoints>> = (0..criteria.len())
            .map(|k| {
                stored
                    .get(k)
                    .copied()
                    .flatten()
                    .and_then(|value| HalfPoints::new(value.half_points))
            })
            .collect();
        let rank = decided.rank.map_or_else(String::new, |rank| {
            format!("Rang {rank} von {}", decided.measures)
        });
        let points = decided.score20.map(|score| {
            let score =
                u16::try_from(score).map_or_else(|_| "–".to_owned(), super::round::score_text);
            match &decided.class {
                Some(class) => format!("{score} Punkte, Klasse {class}"),
                None => format!("{score} Punkte"),
            }
        });
        let what = match (decided.tier.as_deref(), points) {
            (Some("mandatory"), Some(points)) => {
                format!("Pflicht (gesetzlich vorgeschrieben), bewertet mit {points}")
            }
            (Some("mandatory"), None) => "Pflicht (gesetzlich vorgeschrieben)".to_owned(),
            (_, Some(points)) => points,
            (_, None) => "unvollständig bewertet".to_owned(),
        };
        let scored = decided.score20.is_some();
        Some(Self {
            round: decided.round,
            round_name: decided.round_name.clone(),
            decision: match (decided.decided_on, &decided.decision_body) {
                (Some(day), Some(body)) => format!(
                    "beschlossen am {} von {body}",
                    crate::web::format::Dated::german_date(&day)
                ),
                _ => "beschlossen".to_owned(),
            },
            standing: format!("{rank}: {what}"),
            bars: if scored {
                bars(&criteria, &values)
            } else {
                Vec::new()
            },
        })
    }
}
