//! The criteria of the prioritisation as the central officer maintains them: name,
//! explanation, group (benefit or cost), a 0–10 scale with an anchor text at 0, 2, 4, 6, 8 and
//! 10 points, and a weight in whole percent; the weights of a catalogue version add up to 100.

use serde::Deserialize;

use crate::scoring;

/// Whether a criterion counts what a measure brings or what it costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, sqlx::Type)]
#[sqlx(type_name = "criterion_group", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum CriterionGroup {
    Benefit,
    Cost,
}

impl CriterionGroup {
    pub fn label(self) -> &'static str {
        match self {
            Self::Benefit => "Nutzen",
            Self::Cost => "Kosten",
        }
    }

    pub fn is_cost(self) -> bool {
        self == Self::Cost
    }

    pub fn scoring(self) -> scoring::Group {
        match self {
            Self::Benefit => scoring::Group::Benefit,
            Self::Cost => scoring::Group::Cost,
        }
    }
}

/// The points that carry an anchor text.
pub const ANCHOR_POINTS: [u8; 6] = [0, 2, 4, 6, 8, 10];

/// One criterion of a catalogue version.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CriterionSpec {
    pub name: String,
    pub explanation: String,
    pub group: CriterionGroup,
    pub weight: u8,
    /// The anchor texts at [`ANCHOR_POINTS`].
    pub anchors: [String; 6],
}

impl CriterionSpec {
    pub fn scoring(&self) -> scoring::Criterion {
        scoring::Criterion {
            group: self.group.scoring(),
            weight: self.weight,
        }
    }
}

/// The default catalogue shipped with PriMa (`content/criteria-default.json`).
#[derive(Debug, Clone, Deserialize)]
pub struct CatalogueDocument {
    pub note: String,
    pub criteria: Vec<CriterionSpec>,
}

/// The part of a criterion a problem is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Name,
    /// The anchor text at [`ANCHOR_POINTS`]`[i]`.
    Anchor(usize),
    Weight,
}

/// Where a problem of a catalogue version is: a part of the criterion at a position, or the
/// catalogue as a whole (the weights' total, no criterion at all).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    Criterion(usize, Part),
    Weights,
}

/// What is wrong with a catalogue version, in German, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogueProblem {
    pub place: Place,
    pub message: String,
}

impl CatalogueProblem {
    fn new(place: Place, message: impl Into<String>) -> Self {
        Self {
            place,
            message: message.into(),
        }
    }
}

/// The most criteria a version may have: enough for any sensible method, few enough that a
/// form cannot be used to write thousands of rows.
pub const MAX_CRITERIA: usize = 20;

/// Checks a catalogue version: one to [`MAX_CRITERIA`] criteria, names present and different,
/// every anchor text given, weights between 0 and 100 adding up to 100.
pub fn check(criteria: &[CriterionSpec]) -> Result<(), Vec<CatalogueProblem>> {
    let mut problems = Vec::new();
    if criteria.is_empty() {
        problems.push(CatalogueProblem::new(
            Place::Weights,
            "Ein Katalog braucht mindestens ein Kriterium.",
        ));
    }
    if criteria.len() > MAX_CRITERIA {
        problems.push(CatalogueProblem::new(
            Place::Weights,
            format!("Ein Katalog hat höchstens {MAX_CRITERIA} Kriterien."),
        ));
    }
    for (index, criterion) in criteria.iter().enumerate() {
        let at = |part| Place::Criterion(index, part);
        let name = criterion.name.trim();
        if name.is_empty() || name.chars().count() > 120 {
            problems.push(CatalogueProblem::new(
                at(Part::Name),
                "Bitte geben Sie einen Namen mit höchstens 120 Zeichen an.",
            ));
        } else if criteria[..index]
            .iter()
            .any(|other| other.name.trim() == name)
        {
            problems.push(CatalogueProblem::new(
                at(Part::Name),
                format!("„{name}“ steht schon im Katalog."),
            ));
        }
        for (anchor, text) in criterion.anchors.iter().enumerate() {
            if text.trim().is_empty() {
                problems.push(CatalogueProblem::new(
                    at(Part::Anchor(anchor)),
                    format!(
                        "Bitte beschreiben Sie, was {} Punkte bedeuten.",
                        ANCHOR_POINTS[anchor]
                    ),
                ));
            }
        }
        if criterion.weight > 100 {
            problems.push(CatalogueProblem::new(
                at(Part::Weight),
                "Ein Gewicht liegt zwischen 0 und 100 %.",
            ));
        }
    }
    let total: u32 = criteria
        .iter()
        .map(|criterion| u32::from(criterion.weight))
        .sum();
    if total != 100 && !criteria.is_empty() {
        problems.push(CatalogueProblem::new(
            Place::Weights,
            format!("Die Gewichte ergeben zusammen {total} %; sie müssen zusammen 100 % ergeben."),
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn criterion(name: &str, weight: u8) -> CriterionSpec {
        CriterionSpec {
            name: name.to_owned(),
            explanation: String::new(),
            group: CriterionGroup::Benefit,
            weight,
            anchors: std::array::from_fn(|i| format!("Stufe {}", ANCHOR_POINTS[i])),
        }
    }

    #[test]
    fn the_weights_must_add_up_to_100() {
        assert_eq!(check(&[criterion("A", 60), criterion("B", 40)]), Ok(()));
        let problems = check(&[criterion("A", 60), criterion("B", 39)]).expect_err("99 %");
        assert_eq!(
            problems,
            [CatalogueProblem::new(
                Place::Weights,
                "Die Gewichte ergeben zusammen 99 %; sie müssen zusammen 100 % ergeben."
            )]
        );
    }

    #[test]
    fn names_are_present_and_different_and_every_anchor_is_described() {
        let mut blank = criterion("B", 50);
        blank.anchors[3] = " ".to_owned();
        let problems = check(&[criterion("A", 50), blank, criterion("A", 0)]).expect_err("bad");
        let places: Vec<Place> = problems.iter().map(|problem| problem.place).collect();
        assert_eq!(
            places,
            [
                Place::Criterion(1, Part::Anchor(3)),
                Place::Criterion(2, Part::Name)
            ]
        );
    }
}
