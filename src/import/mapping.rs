//! From a row of an uploaded list to a measure: which of the file's columns holds which of
//! PriMa's fields (guessed from the headings, or taken from a saved mapping), and each row read
//! through the measure form's own checks, every problem named with its column.

use std::collections::BTreeMap;

use crate::domain::ids::GoalId;
use crate::domain::measure::{self, MeasureData, MeasureInput};
use crate::domain::office::Office;
use crate::domain::prioritisation::rounds::Rating;
use crate::domain::strategy::StrategyTree;

use super::Row;

/// A field of PriMa a column can fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    /// Its name in forms and saved mappings.
    pub key: &'static str,
    pub label: &'static str,
    /// The field of the measure form whose problems it answers for.
    pub field: &'static str,
    /// Headings that name it (lower case): equal first, then contained.
    pub names: &'static [&'static str],
}

const fn target(
    key: &'static str,
    label: &'static str,
    field: &'static str,
    names: &'static [&'static str],
) -> Target {
    Target {
        key,
        label,
        field,
        names,
    }
}

pub const TARGETS: [Target; 14] = [
    target(
        "titel",
        "Titel",
        "title",
        &["titel", "maßnahme", "massnahme", "bezeichnung"],
    ),
    target(
        "kurzbeschreibung",
        "Kurzbeschreibung",
        "summary",
        &["kurzbeschreibung", "zusammenfassung"],
    ),
    target(
        "beschreibung",
        "Beschreibung",
        "description",
        &["beschreibung"],
    ),
    target(
        "nutzen",
        "Erwarteter Nutzen",
        "expected_benefit",
        &["erwarteter nutzen", "nutzen"],
    ),
    target(
        "federfuehrung",
        "Federführendes Bezirksamt",
        "lead_office",
        &[
            "federführung",
            "federfuehrung",
            "federführend",
            "bezirksamt",
        ],
    ),
    target(
        "beteiligte",
        "Beteiligte Bezirksämter",
        "participating_offices",
        &["beteiligte bezirksämter", "beteiligt"],
    ),
    target(
        "ziele",
        "Ziele der Digitalstrategie",
        "goals",
        &["ziele", "ziel"],
    ),
    target(
        "stelle",
        "Verantwortliche Stelle",
        "responsible_unit",
        &["verantwortliche stelle", "stelle", "verantwortlich"],
    ),
    target(
        "ansprechperson",
        "Ansprechperson",
        "contact_person",
        &["ansprechperson", "ansprechpartner", "kontakt"],
    ),
    target(
        "aufwand",
        "Aufwand (Personentage)",
        "effort_person_days",
        &["aufwand (personentage)", "aufwand", "personentage"],
    ),
    target(
        "kosten",
        "Kosten (Euro)",
        "cost_euros",
        &["kosten (euro)", "kosten"],
    ),
    target(
        "beginn",
        "Geplanter Beginn",
        "planned_start",
        &["geplanter beginn", "beginn", "start"],
    ),
    target(
        "ende",
        "Geplantes Ende",
        "planned_end",
        &["geplantes ende", "ende"],
    ),
    target(
        "schnell",
        "Schneller Erfolg",
        "quick_win",
        &["schneller erfolg", "quick win", "schnell"],
    ),
];

/// PriMa field (`Target::key`) → the index of the file's column.
pub type Mapping = BTreeMap<String, usize>;

pub fn target_of(key: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|target| target.key == key)
}

/// What a mapping key is called on screen: the field's label, or the criterion's name.
pub fn label_of(key: &str) -> &str {
    target_of(key)
        .map(|target| target.label)
        .or_else(|| criterion_of(key))
        .unwrap_or(key)
}

/// How a mapping names a criterion of the prioritisation: by its name, which stays the same
/// across versions of the catalogue, so a saved mapping keeps working.
const CRITERION_PREFIX: &str = "kriterium:";

pub fn criterion_key(name: &str) -> String {
    format!("{CRITERION_PREFIX}{name}")
}

/// The criterion a mapping key names, if it names one.
pub fn criterion_of(key: &str) -> Option<&str> {
    key.strip_prefix(CRITERION_PREFIX)
        .filter(|name| !name.is_empty())
}

/// Whether `key` may stand in a mapping: a field, or a criterion.
pub fn is_key(key: &str) -> bool {
    target_of(key).is_some() || criterion_of(key).is_some()
}

/// A cell of a criterion column: empty (no value), "nicht beurteilbar", or 0 to 10 points as a
/// whole number ("7", "7,0" and "7.0" alike).
pub fn rating_of(cell: &str) -> Result<Option<Rating>, String> {
    let text = cell.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let lower = text.to_lowercase();
    if matches!(
        lower.as_str(),
        "nb" | "n.b." | "n. b." | "nicht beurteilbar" | "k. a." | "k.a."
    ) {
        return Ok(Some(Rating::NotAssessable));
    }
    let whole = lower
        .strip_suffix(",0")
        .or_else(|| lower.strip_suffix(".0"))
        .unwrap_or(&lower);
    whole
        .parse::<u8>()
        .ok()
        .filter(|points| *points <= 10)
        .map(|points| Some(Rating::Points(points)))
        .ok_or_else(|| {
            format!(
                "„{text}“ ist kein Wert von 0 bis 10 Punkten (ganze Zahl) und nicht \
                 „nicht beurteilbar“."
            )
        })
}

/// The criterion values of a row (criterion name → rating; empty cells give none), or the
/// problems of its criterion columns.
pub fn ratings_of(
    row: &Row,
    mapping: &Mapping,
    headings: &[String],
) -> Result<Vec<(String, Rating)>, Vec<Problem>> {
    let mut ratings = Vec::new();
    let mut problems = Vec::new();
    for (key, index) in mapping {
        let Some(name) = criterion_of(key) else {
            continue;
        };
        let cell = row.cells.get(*index).map_or("", String::as_str);
        match rating_of(cell) {
            Ok(Some(rating)) => ratings.push((name.to_owned(), rating)),
            Ok(None) => {}
            Err(message) => problems.push(Problem {
                column: headings
                    .get(*index)
                    .cloned()
                    .unwrap_or_else(|| name.to_owned()),
                message,
            }),
        }
    }
    if problems.is_empty() {
        Ok(ratings)
    } else {
        Err(problems)
    }
}

/// The columns whose headings name a field or a criterion, each column for one at most: first
/// headings equal to a field's name, then headings naming a criterion ("Aufwand" is the field,
/// "Nutzen für Bürgerinnen, Bürger und Unternehmen" the criterion, not the field "Nutzen"),
/// then headings containing a field's name.
pub fn guess(headings: &[String], criteria: &[String]) -> Mapping {
    let lower: Vec<String> = headings
        .iter()
        .map(|heading| heading.trim().to_lowercase())
        .collect();
    let mut mapping = Mapping::new();
    for exact in [true, false] {
        if !exact {
            guess_criteria(&mut mapping, headings, criteria);
        }
        for target in &TARGETS {
            if mapping.contains_key(target.key) {
                continue;
            }
            let found = target.names.iter().find_map(|name| {
                lower.iter().enumerate().position(|(index, heading)| {
                    !mapping.values().any(|used| *used == index)
                        && if exact {
                            heading == name
                        } else {
                            heading.contains(name)
                        }
                })
            });
            if let Some(index) = found {
                mapping.insert(target.key.to_owned(), index);
            }
        }
    }
    mapping
}

/// Criterion columns guessed from the headings: a column not yet used whose heading is the
/// criterion's name, or begins with it ("Dringlichkeit (0–10)").
pub fn guess_criteria(mapping: &mut Mapping, headings: &[String], criteria: &[String]) {
    for name in criteria {
        let key = criterion_key(name);
        if mapping.contains_key(&key) {
            continue;
        }
        let wanted = name.trim().to_lowercase();
        let found = headings.iter().enumerate().position(|(index, heading)| {
            let heading = heading.trim().to_lowercase();
            !mapping.values().any(|used| *used == index)
                && (heading == wanted
                    || heading
                        .strip_prefix(&wanted)
                        .is_some_and(|rest| rest.starts_with([' ', '(', ':'])))
        });
        if let Some(index) = found {
            mapping.insert(key, index);
        }
    }
}

/// A saved mapping (field → heading) applied to a file's headings; fields whose heading the
/// file lacks stay unmapped.
pub fn from_saved(columns: &BTreeMap<String, String>, headings: &[String]) -> Mapping {
    columns
        .iter()
        .filter(|(key, _)| is_key(key))
        .filter_map(|(key, heading)| {
            headings
                .iter()
                .position(|candidate| candidate.trim().eq_ignore_ascii_case(heading.trim()))
                .map(|index| (key.clone(), index))
        })
        .collect()
}

/// A mapping as it is saved: field → heading.
pub fn to_saved(mapping: &Mapping, headings: &[String]) -> BTreeMap<String, String> {
    mapping
        .iter()
        .filter_map(|(key, index)| {
            headings
                .get(*index)
                .map(|heading| (key.clone(), heading.clone()))
        })
        .collect()
}

/// What a row's values are checked against.
#[derive(Debug)]
pub struct Context {
    /// The goals of the strategy in force and the ways a list may name them.
    goals: Vec<(GoalId, Vec<String>)>,
    known: Vec<GoalId>,
    /// The lead office when the list names none: the importer's.
    pub default_office: Office,
}

impl Context {
    pub fn new(tree: Option<&StrategyTree>, default_office: Office) -> Self {
        let mut goals = Vec::new();
        if let Some(tree) = tree {
            for field in &tree.fields {
                for goal in &field.goals {
                    let name = field.name.to_lowercase();
                    goals.push((
                        goal.id,
                        vec![
                            goal.id.to_string(),
                            format!("{name} {}", goal.position),
                            format!("{name}, ziel {}", goal.position),
                            format!("{name} – ziel {}", goal.position),
                            goal.statement.trim().to_lowercase(),
                        ],
                    ));
                }
            }
        }
        let known = goals.iter().map(|(id, _)| *id).collect();
        Self {
            goals,
            known,
            default_office,
        }
    }

    fn goal(&self, reference: &str) -> Option<GoalId> {
        let reference = reference.trim().to_lowercase();
        self.goals
            .iter()
            .find(|(_, names)| names.contains(&reference))
            .map(|(id, _)| *id)
    }
}

fn office(text: &str) -> Option<Office> {
    let text = text.trim();
    Office::ALL.into_iter().find(|office| {
        text.eq_ignore_ascii_case(office.label())
            || text.eq_ignore_ascii_case(office.short_label())
            || text.eq_ignore_ascii_case(office.slug())
    })
}

/// A problem of a row: the column (its heading, or the field's label when unmapped) and what
/// is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub column: String,
    pub message: String,
}

/// The row as the measure it would become, or its problems.
pub fn measure_of(
    row: &Row,
    mapping: &Mapping,
    headings: &[String],
    context: &Context,
) -> Result<MeasureData, Vec<Problem>> {
    let cell = |key: &str| -> &str {
        mapping
            .get(key)
            .and_then(|index| row.cells.get(*index))
            .map_or("", |value| value.trim())
    };
    let column = |key: &str| -> String {
        let target = target_of(key).map_or(key, |target| target.label);
        mapping
            .get(key)
            .and_then(|index| headings.get(*index))
            .cloned()
            .unwrap_or_else(|| target.to_owned())
    };
    let mut problems = Vec::new();
    let split = |text: &str| -> Vec<String> {
        text.split([';', '\n'])
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let lead = match cell("federfuehrung") {
        "" => Some(context.default_office),
        text => office(text),
    };
    if lead.is_none() {
        problems.push(Problem {
            column: column("federfuehrung"),
            message: format!("„{}“ ist kein Bezirksamt.", cell("federfuehrung")),
        });
    }
    let mut participating = Vec::new();
    for name in split(&cell("beteiligte").replace(',', ";")) {
        match office(&name) {
            Some(office) => participating.push(office.slug().to_owned()),
            None => problems.push(Problem {
                column: column("beteiligte"),
                message: format!("„{name}“ ist kein Bezirksamt."),
            }),
        }
    }
    let mut goals = Vec::new();
    for reference in split(cell("ziele")) {
        match context.goal(&reference) {
            Some(id) => goals.push(id.to_string()),
            None => problems.push(Problem {
                column: column("ziele"),
                message: format!(
                    "Das Ziel „{reference}“ gibt es in der Strategie nicht (erwartet: Feld und \
                     Nummer wie „Nutzerorientierung 2“ oder der Wortlaut des Ziels)."
                ),
            }),
        }
    }
    let input = MeasureInput {
        title: cell("titel").to_owned(),
        summary: cell("kurzbeschreibung").to_owned(),
        description: cell("beschreibung").to_owned(),
        expected_benefit: cell("nutzen").to_owned(),
        goals,
        lead_office: lead.map_or_else(String::new, |office| office.slug().to_owned()),
        participating_offices: participating,
        responsible_unit: cell("stelle").to_owned(),
        contact_person: cell("ansprechperson").to_owned(),
        source: measure::Source::PrimaList.slug().to_owned(),
        effort_person_days: cell("aufwand").to_owned(),
        cost_euros: cell("kosten").to_owned(),
        planned_start: cell("beginn").to_owned(),
        planned_end: cell("ende").to_owned(),
        quick_win: matches!(
            cell("schnell").to_lowercase().as_str(),
            "ja" | "x" | "1" | "wahr" | "true" | "yes"
        ),
        ..MeasureInput::default()
    };
    match measure::parse(&input, &context.known, None) {
        Ok(data) if problems.is_empty() => Ok(data),
        Ok(_) => Err(problems),
        Err(found) => {
            for (field, message) in found {
                // Offices and goals were named above, in the list's words.
                if matches!(field, "lead_office" | "participating_offices" | "goals") {
                    continue;
                }
                let key = TARGETS
                    .iter()
                    .find(|target| target.field == field)
                    .map_or(field, |target| target.key);
                problems.push(Problem {
                    column: column(key),
                    message,
                });
            }
            Err(problems)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headings(names: &[&str]) -> Vec<String> {
        names.iter().map(|name| (*name).to_owned()).collect()
    }

    #[test]
    fn the_mapping_is_guessed_from_the_headings_each_column_once() {
        let columns = headings(&[
            "Nr.",
            "Maßnahme",
            "Kurzbeschreibung",
            "Beschreibung der Umsetzung",
            "Federführung",
            "Kosten (Euro)",
            "Schneller Erfolg",
        ]);
        let found = guess(&columns, &[]);
        assert_eq!(found.get("titel"), Some(&1));
        assert_eq!(found.get("kurzbeschreibung"), Some(&2));
        assert_eq!(found.get("beschreibung"), Some(&3));
        assert_eq!(found.get("federfuehrung"), Some(&4));
        assert_eq!(found.get("kosten"), Some(&5));
        assert_eq!(found.get("schnell"), Some(&6));
        assert_eq!(found.get("ziele"), None);
        let saved = to_saved(&found, &columns);
        let again = from_saved(&saved, &headings(&["kosten (euro)", "Maßnahme"]));
        assert_eq!(again.get("titel"), Some(&1));
        assert_eq!(again.get("kosten"), Some(&0));
        assert_eq!(again.len(), 2);
    }

    #[test]
    fn criterion_cells_are_points_not_assessable_or_a_problem_with_the_column() {
        assert_eq!(rating_of(""), Ok(None));
        assert_eq!(rating_of(" 7 "), Ok(Some(Rating::Points(7))));
        assert_eq!(rating_of("10,0"), Ok(Some(Rating::Points(10))));
        assert_eq!(rating_of("0"), Ok(Some(Rating::Points(0))));
        assert_eq!(rating_of("n. b."), Ok(Some(Rating::NotAssessable)));
        assert_eq!(
            rating_of("Nicht beurteilbar"),
            Ok(Some(Rating::NotAssessable))
        );
        for wrong in ["11", "-1", "7,5", "hoch"] {
            assert!(rating_of(wrong).is_err(), "{wrong}");
        }
        let columns = headings(&["Maßnahme", "Nutzen (0–10)", "Aufwand (0–10)"]);
        let mapping: Mapping = [
            ("titel".to_owned(), 0),
            (criterion_key("Nutzen"), 1),
            (criterion_key("Aufwand"), 2),
        ]
        .into_iter()
        .collect();
        let row = |cells: &[&str]| Row {
            number: 3,
            cells: cells.iter().map(|cell| (*cell).to_owned()).collect(),
        };
        assert_eq!(
            ratings_of(&row(&["A", "8", ""]), &mapping, &columns),
            Ok(vec![("Nutzen".to_owned(), Rating::Points(8))])
        );
        let problems = ratings_of(&row(&["A", "12", "nb"]), &mapping, &columns)
            .expect_err("12 is out of range");
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].column, "Nutzen (0–10)");
        assert!(problems[0].message.contains("„12“"), "{problems:?}");
        let guessed = guess(
            &headings(&["Maßnahme", "Nutzen für alle (0–10)", "Aufwand", "Nutzen"]),
            &["Nutzen für alle".to_owned(), "Aufwand".to_owned()],
        );
        assert_eq!(guessed.get("kriterium:Nutzen für alle"), Some(&1));
        assert_eq!(
            guessed.get("aufwand"),
            Some(&2),
            "equal to the field's name"
        );
        assert_eq!(guessed.get("kriterium:Aufwand"), None);
        assert_eq!(guessed.get("nutzen"), Some(&3));
        let saved = to_saved(&mapping, &columns);
        assert_eq!(
            saved.get("kriterium:Aufwand").map(String::as_str),
            Some("Aufwand (0–10)")
        );
        assert_eq!(from_saved(&saved, &columns), mapping);
    }

    #[test]
    fn a_row_becomes_a_measure_or_names_each_problem_with_its_column() {
        let columns = headings(&["Maßnahme", "Amt", "Kosten", "Beginn", "Schnell"]);
        let mapping: Mapping = [
            ("titel", 0),
            ("federfuehrung", 1),
            ("kosten", 2),
            ("beginn", 3),
            ("schnell", 4),
        ]
        .into_iter()
        .map(|(key, index)| (key.to_owned(), index))
        .collect();
        let context = Context::new(None, Office::Altona);
        let row = |cells: &[&str]| Row {
            number: 2,
            cells: cells.iter().map(|cell| (*cell).to_owned()).collect(),
        };
        let good = measure_of(
            &row(&["Bürgerbüro", "Harburg", "1.200", "01.03.2027", "ja"]),
            &mapping,
            &columns,
            &context,
        )
        .expect("a measure");
        assert_eq!(good.title, "Bürgerbüro");
        assert_eq!(good.lead_office, Office::Harburg);
        assert_eq!(good.cost_euros, Some(1200));
        assert!(good.quick_win);
        let defaulted = measure_of(
            &row(&["Zweite", "", "", "", ""]),
            &mapping,
            &columns,
            &context,
        )
        .expect("a measure");
        assert_eq!(
            defaulted.lead_office,
            Office::Altona,
            "the importer's office"
        );
        let problems = measure_of(
            &row(&["", "Atlantis", "viel", "morgen", ""]),
            &mapping,
            &columns,
            &context,
        )
        .expect_err("problems");
        let columns_named: Vec<&str> = problems
            .iter()
            .map(|problem| problem.column.as_str())
            .collect();
        assert!(columns_named.contains(&"Maßnahme"), "{problems:?}");
        assert!(columns_named.contains(&"Amt"), "{problems:?}");
        assert!(columns_named.contains(&"Kosten"), "{problems:?}");
        assert!(columns_named.contains(&"Beginn"), "{problems:?}");
        assert!(
            problems
                .iter()
                .any(|problem| problem.message == "„Atlantis“ ist kein Bezirksamt.")
        );
    }
}
