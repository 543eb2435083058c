//! The strategy tree: an iteration of the strategy with its vision and pillars, the action
//! dimensions, and the design fields and cross-cutting themes that carry the goals.

pub mod carryover;
pub mod diff;

use chrono::NaiveDate;
use serde::Deserialize;

use super::ids::{ActionDimensionId, FieldId, GoalId, PillarId, StrategyId};

/// Where an iteration stands in the two-yearly cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, sqlx::Type)]
#[sqlx(type_name = "strategy_status", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum StrategyStatus {
    Draft,
    Published,
    Archived,
}

impl StrategyStatus {
    pub fn label(self) -> &'static str {
        match self {
            Self::Draft => "Entwurf",
            Self::Published => "Gültig",
            Self::Archived => "Abgelöst",
        }
    }
}

/// Design fields and cross-cutting themes are built alike: a text and goals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, sqlx::Type)]
#[sqlx(type_name = "field_kind", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    DesignField,
    CrossCuttingTheme,
}

impl FieldKind {
    pub fn label(self) -> &'static str {
        match self {
            Self::DesignField => "Gestaltungsfeld",
            Self::CrossCuttingTheme => "Querschnittsthema",
        }
    }

    pub fn plural_label(self) -> &'static str {
        match self {
            Self::DesignField => "Gestaltungsfelder",
            Self::CrossCuttingTheme => "Querschnittsthemen",
        }
    }
}

/// One iteration of the strategy, with its vision.
#[derive(Debug, Clone)]
pub struct Strategy {
    pub id: StrategyId,
    pub title: String,
    pub motto: String,
    pub version_label: String,
    pub publisher: String,
    pub published_on: Option<NaiveDate>,
    pub status: StrategyStatus,
    pub vision_statement: String,
    pub vision_introduction: String,
}

impl Strategy {
    /// "März 2020": how the document dates itself.
    pub fn published_label(&self) -> Option<String> {
        self.published_on.map(crate::domain::time::month_year)
    }
}

/// A guiding idea of the vision: gemeinsam, digital, menschlich.
#[derive(Debug, Clone)]
pub struct Pillar {
    pub id: PillarId,
    pub name: String,
    pub explanation: String,
}

/// A dimension of the city's ITD framework; one can be deferred in an iteration.
#[derive(Debug, Clone)]
pub struct ActionDimension {
    pub id: ActionDimensionId,
    pub name: String,
    pub process_label: String,
    pub description: String,
    pub deferred: bool,
    pub deferral_note: Option<String>,
}

/// A design field or cross-cutting theme with its goals in the document's order.
#[derive(Debug, Clone)]
pub struct Field {
    pub id: FieldId,
    pub kind: FieldKind,
    pub section: String,
    pub name: String,
    pub description: String,
    pub goals: Vec<Goal>,
}

impl Field {
    /// The description split into paragraphs, as the templates render them.
    pub fn paragraphs(&self) -> impl Iterator<Item = &str> {
        paragraphs(&self.description)
    }
}

/// A goal ("Wir …") with its place in its field.
#[derive(Debug, Clone)]
pub struct Goal {
    pub id: GoalId,
    pub field_id: FieldId,
    pub position: i32,
    pub statement: String,
    pub note: Option<String>,
}

/// The whole tree of one iteration.
#[derive(Debug, Clone)]
pub struct StrategyTree {
    pub strategy: Strategy,
    pub pillars: Vec<Pillar>,
    pub dimensions: Vec<ActionDimension>,
    pub fields: Vec<Field>,
}

impl StrategyTree {
    pub fn fields_of(&self, kind: FieldKind) -> impl Iterator<Item = &Field> {
        self.fields.iter().filter(move |field| field.kind == kind)
    }

    pub fn count_of(&self, kind: FieldKind) -> usize {
        self.fields_of(kind).count()
    }

    pub fn goal_count(&self) -> usize {
        self.fields.iter().map(|field| field.goals.len()).sum()
    }

    pub fn field(&self, id: FieldId) -> Option<&Field> {
        self.fields.iter().find(|field| field.id == id)
    }

    pub fn goal(&self, id: GoalId) -> Option<&Goal> {
        self.fields
            .iter()
            .flat_map(|field| &field.goals)
            .find(|goal| goal.id == id)
    }
}

/// Paragraphs of a stored text: blank lines separate them.
pub fn paragraphs(text: &str) -> impl Iterator<Item = &str> {
    text.split("\n\n")
        .map(str::trim)
        .filter(|paragraph| !paragraph.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_lines_separate_paragraphs() {
        let text = "Erster Absatz.\n\nZweiter Absatz.\n\n\n";
        assert_eq!(
            paragraphs(text).collect::<Vec<_>>(),
            ["Erster Absatz.", "Zweiter Absatz."]
        );
    }

    #[test]
    fn the_publication_month_is_german() {
        let strategy = Strategy {
            id: StrategyId::new(),
            title: String::new(),
            motto: String::new(),
            version_label: "1.0 – 2020".to_owned(),
            publisher: String::new(),
            published_on: NaiveDate::from_ymd_opt(2020, 3, 1),
            status: StrategyStatus::Published,
            vision_statement: String::new(),
            vision_introduction: String::new(),
        };
        assert_eq!(strategy.published_label().as_deref(), Some("März 2020"));
    }
}
