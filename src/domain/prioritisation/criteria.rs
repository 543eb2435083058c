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

/// What is wrong with a catalogue version, in German, with the criterion's position (none: the
/// whole catalogue).
pub type CatalogueProblem = (Option<usize>, String);

/// Checks a catalogue version: at least one criterion, names present and different, every
/// anchor text given, weights between 0 and 100 adding up to 100.
pub fn check(criteria: &[CriterionSpec]) -> Result<(), Vec<CatalogueProblem>> {
    let mut problems = Vec::new();
    if criteria.is_empty() {
        problems.push((
            None,
            "Ein Katalog braucht mindestens ein Kriterium.".to_owned(),
        ));
    }
    for (index, criterion) in criteria.iter().enumerate() {
        let name = criterion.name.trim();
        if name.is_empty() || name.chars().count() > 120 {
            problems.push((
                Some(index),
                "Bitte geben Sie einen Namen mit höchstens 120 Zeichen an.".to_owned(),
            ));
        }
        if criteria[..index]
            .iter()
            .any(|other| other.name.trim() == name)
        {
            problems.push((Some(index), format!("„{name}“ steht schon im Katalog.")));
        }
        if criterion
            .anchors
            .iter()
            .any(|anchor| anchor.trim().is_empty())
        {
            problems.push((
                Some(index),
                "Bitte beschreiben Sie jede Ankerstufe (0, 2, 4, 6, 8 und 10 Punkte).".to_owned(),
            ));
        }
        if criterion.weight > 100 {
            problems.push((
                Some(index),
                "Ein Gewicht liegt zwischen 0 und 100 %.".to_owned(),
            ));
        }
    }
    let total: u32 = criteria
        .iter()
        .map(|criterion| u32::from(criterion.weight))
        .sum();
    if total != 100 && !criteria.is_empty() {
        problems.push((
            None,
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
            [(
                None,
                "Die Gewichte ergeben zusammen 99 %; sie müssen zusammen 100 % ergeben.".to_owned()
            )]
        );
    }

    #[test]
    fn names_are_present_and_different_and_every_anchor_is_described() {
        let mut blank = criterion("B", 50);
        blank.anchors[3] = " ".to_owned();
        let problems = check(&[criterion("A", 50), blank, criterion("A", 0)]).expect_err("bad");
        let positions: Vec<Option<usize>> = problems.iter().map(|(at, _)| *at).collect();
        assert_eq!(positions, [Some(1), Some(2)]);
    }
}
