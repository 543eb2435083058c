//! The tables the exports write: their columns and, chunk by chunk, their rows as typed values.
//! The measures of a view come from the database a thousand at a time; the implementation
//! matrix likewise; a ranking is already in memory (`caches.rankings`) and is cut into chunks.

use std::collections::HashMap;

use sqlx::PgPool;

use crate::db;
use crate::db::catalogue::Filter;
use crate::db::export::{Chunks, ExportedMeasure, ImplementationLine};
use crate::domain::ids::GoalId;
use crate::domain::implementation::DISTRICT_OFFICES;
use crate::domain::strategy::StrategyTree;
use crate::domain::time::hamburg;
use crate::export::{Column, Sheet, Value};
use crate::web::prioritisation::ranking::{Entry, Ranking};

/// Rows read and written per step.
pub const CHUNK: usize = 2_000;

const fn column(key: &'static str, heading: &'static str, width: u8) -> Column {
    Column {
        key,
        heading,
        width,
    }
}

pub const MEASURE_COLUMNS: [Column; 19] = [
    column("nr", "Nr.", 8),
    column("titel", "Maßnahme", 40),
    column("kurzbeschreibung", "Kurzbeschreibung", 60),
    column("status", "Status", 16),
    column("federfuehrung", "Federführung", 22),
    column("beteiligte", "Beteiligte Bezirksämter", 30),
    column("felder", "Gestaltungsfelder und Querschnittsthemen", 40),
    column("schnell", "Schneller Erfolg", 10),
    column("ozg", "OZG-Leistung", 14),
    column("unterstuetzungen", "Unterstützungen", 10),
    column("aufwand", "Aufwand (Personentage)", 12),
    column("kosten", "Kosten (Euro)", 12),
    column("beginn", "Geplanter Beginn", 12),
    column("ende", "Geplantes Ende", 12),
    column("fortschritt", "Umsetzungsfortschritt (%)", 12),
    column("rang", "Rang (letzte beschlossene Priorisierung)", 12),
    column("punkte", "Punkte (letzte beschlossene Priorisierung)", 12),
    column("angelegt", "Angelegt am", 12),
    column("geaendert", "Zuletzt geändert am", 12),
];

pub const GOAL_COLUMNS: [Column; 6] = [
    column("art", "Art", 18),
    column("feld", "Gestaltungsfeld oder Querschnittsthema", 40),
    column("ziel", "Ziel", 6),
    column("wortlaut", "Ziel (Wortlaut)", 80),
    column("anzahl", "Maßnahmen", 10),
    column("nummern", "Nummern der Maßnahmen", 40),
];

pub const RANKING_COLUMNS: [Column; 9] = [
    column("rang", "Rang", 6),
    column("nr", "Nr.", 8),
    column("titel", "Maßnahme", 40),
    column("stufe", "Stufe", 16),
    column("punkte", "Punkte", 8),
    column("klasse", "Klasse", 8),
    column("nutzen", "Nutzen (0–100)", 10),
    column("aufwand", "Aufwand und Kosten (0–100)", 12),
    column("quadrant", "Nutzen-Aufwand-Feld", 20),
];

/// The implementation matrix: the measure, then one column per district office.
pub fn implementation_columns() -> Vec<Column> {
    let mut columns = vec![
        column("nr", "Nr.", 8),
        column("titel", "Maßnahme", 40),
        column("status", "Status", 16),
        column("federfuehrung", "Federführung", 22),
        column("fortschritt", "Umsetzungsfortschritt (%)", 12),
    ];
    columns.extend(
        DISTRICT_OFFICES
            .iter()
            .map(|office| column(office.slug(), office.label(), 16)),
    );
    columns.push(column("umgesetzt", "Umgesetzt in (Bezirksämter)", 12));
    columns
}

/// A table and where its rows come from.
#[derive(Debug)]
pub struct Table {
    pub sheet: Sheet,
    /// The positions of the chosen columns.
    pub chosen: Vec<usize>,
    pub feed: Feed,
}

impl Table {
    /// The chosen columns.
    pub fn columns(&self) -> Vec<crate::export::Column> {
        self.chosen
            .iter()
            .filter_map(|index| self.sheet.columns.get(*index).copied())
            .collect()
    }

    /// The sheet with the chosen columns only.
    pub fn chosen_sheet(&self) -> Sheet {
        Sheet {
            name: self.sheet.name,
            columns: self.columns(),
        }
    }

    /// The next rows (chosen columns only), none when all are out.
    pub async fn next(&mut self) -> sqlx::Result<Option<Vec<Vec<Value>>>> {
        let Some(rows) = self.feed.next().await? else {
            return Ok(None);
        };
        let all = self.chosen.len() == self.sheet.columns.len();
        Ok(Some(if all {
            rows
        } else {
            // The chosen columns are distinct: each value is moved out once.
            rows.into_iter()
                .map(|mut row| {
                    self.chosen
                        .iter()
                        .map(|index| {
                            row.get_mut(*index).map_or(Value::Empty, |value| {
                                std::mem::replace(value, Value::Empty)
                            })
                        })
                        .collect()
                })
                .collect()
        }))
    }
}

/// Where a table's rows come from.
#[derive(Debug)]
pub enum Feed {
    /// A catalogue view (`count` measures), by number; read from its first call on.
    Measures {
        pool: PgPool,
        filter: Filter,
        count: usize,
        fields: FieldNames,
        chunks: Option<Chunks<ExportedMeasure>>,
    },
    /// The implementation matrix of a view, by number; read from its first call on.
    Implementation {
        pool: PgPool,
        filter: Filter,
        chunks: Option<Chunks<ImplementationLine>>,
    },
    /// Rows already made, handed out a chunk at a time.
    Ready(std::vec::IntoIter<Vec<Value>>),
}

impl Feed {
    async fn next(&mut self) -> sqlx::Result<Option<Vec<Vec<Value>>>> {
        match self {
            Self::Measures {
                pool,
                filter,
                count,
                fields,
                chunks,
            } => {
                let chunks =
                    chunks.get_or_insert_with(|| db::export::measures(pool, filter, *count, CHUNK));
                let Some(measures) = chunks.recv().await.transpose()? else {
                    return Ok(None);
                };
                Ok(Some(
                    measures
                        .into_iter()
                        .map(|measure| measure_row(measure, fields))
                        .collect(),
                ))
            }
            Self::Implementation {
                pool,
                filter,
                chunks,
            } => {
                let chunks =
                    chunks.get_or_insert_with(|| db::export::implementation(pool, filter, CHUNK));
                let Some(lines) = chunks.recv().await.transpose()? else {
                    return Ok(None);
                };
                Ok(Some(lines.iter().map(implementation_row).collect()))
            }
            Self::Ready(rows) => {
                let chunk: Vec<_> = rows.by_ref().take(CHUNK).collect();
                Ok((!chunk.is_empty()).then_some(chunk))
            }
        }
    }
}

fn number(number: i64) -> Value {
    Value::from(format!("M-{number}"))
}

fn yes_no(yes: bool) -> Value {
    Value::from(if yes { "ja" } else { "nein" })
}

/// The names of the design fields and themes of goals, in the strategy's order.
#[derive(Debug, Default)]
pub struct FieldNames {
    names: Vec<String>,
    /// A goal's field, as a position in `names`.
    field_of: HashMap<GoalId, usize>,
}

impl FieldNames {
    pub fn new(tree: Option<&StrategyTree>) -> Self {
        let mut names = Vec::new();
        let mut field_of = HashMap::new();
        for (index, field) in tree.iter().flat_map(|tree| &tree.fields).enumerate() {
            names.push(field.name.clone());
            for goal in &field.goals {
                field_of.insert(goal.id, index);
            }
        }
        Self { names, field_of }
    }

    /// The fields of `goals`, each once, in the strategy's order, separated by commas.
    fn of(&self, goals: &[GoalId]) -> String {
        let mut indices: Vec<usize> = goals
            .iter()
            .filter_map(|goal| self.field_of.get(goal).copied())
            .collect();
        indices.sort_unstable();
        indices.dedup();
        let names: Vec<&str> = indices
            .iter()
            .map(|index| self.names[*index].as_str())
            .collect();
        names.join(", ")
    }
}

fn measure_row(measure: ExportedMeasure, fields: &FieldNames) -> Vec<Value> {
    let offices: Vec<&str> = measure
        .offices
        .iter()
        .map(|office| office.label())
        .collect();
    vec![
        number(measure.number),
        Value::from(measure.title),
        Value::from(measure.summary),
        Value::from(measure.status.label()),
        Value::from(measure.lead_office.label()),
        Value::from(offices.join(", ")),
        Value::from(fields.of(&measure.goal_ids)),
        yes_no(measure.quick_win),
        Value::from(measure.ozg_id),
        Value::Integer(measure.support_count.into()),
        Value::from(measure.effort_person_days.map(i64::from)),
        Value::from(measure.cost_euros),
        Value::from(measure.planned_start),
        Value::from(measure.planned_end),
        Value::Integer(measure.progress_percent.into()),
        Value::from(measure.decided_rank.map(i64::from)),
        measure.decided_score20.map_or(Value::Empty, |score| {
            Value::Decimal(f64::from(score) / 20.0, 2)
        }),
        Value::Date(hamburg(measure.created_at).date_naive()),
        Value::Date(hamburg(measure.updated_at).date_naive()),
    ]
}

fn implementation_row(line: &ImplementationLine) -> Vec<Value> {
    let mut row = vec![
        number(line.number),
        Value::from(line.title.clone()),
        Value::from(line.status.label()),
        Value::from(line.lead_office.label()),
        Value::Integer(line.progress_percent.into()),
    ];
    let state_of = |office| {
        line.offices
            .iter()
            .position(|candidate| *candidate == office)
            .and_then(|index| line.states.get(index))
    };
    row.extend(DISTRICT_OFFICES.iter().map(|office| {
        state_of(*office).map_or(Value::from("offen"), |state| state.label().into())
    }));
    let done = line
        .states
        .iter()
        .filter(|state| **state == crate::domain::implementation::State::Done)
        .count();
    row.push(Value::Integer(done as i64));
    row
}

/// At most this many numbers of measures in a goal's cell (a cell of Excel holds at most
/// 32,767 characters; a list that long is read by filtering the measures sheet anyway).
const LISTED_NUMBERS: usize = 1_000;

/// Every goal of the strategy with the numbers of the view's measures linked to it (goals
/// without any measure too: the gaps are what a reader looks for).
pub fn goal_rows(
    tree: Option<&StrategyTree>,
    per_goal: &[(crate::domain::ids::GoalId, Vec<i64>)],
) -> Vec<Vec<Value>> {
    let Some(tree) = tree else {
        return Vec::new();
    };
    tree.fields
        .iter()
        .flat_map(|field| {
            field.goals.iter().map(move |goal| {
                let numbers = per_goal
                    .iter()
                    .find(|(id, _)| *id == goal.id)
                    .map_or(&[][..], |(_, numbers)| numbers.as_slice());
                let mut listed: Vec<String> = numbers
                    .iter()
                    .take(LISTED_NUMBERS)
                    .map(|number| format!("M-{number}"))
                    .collect();
                if numbers.len() > LISTED_NUMBERS {
                    listed.push(format!("… und {} weitere", numbers.len() - LISTED_NUMBERS));
                }
                vec![
                    Value::from(field.kind.label()),
                    Value::from(field.name.clone()),
                    Value::Integer(goal.position.into()),
                    Value::from(goal.statement.clone()),
                    Value::Integer(numbers.len() as i64),
                    Value::from(listed.join(", ")),
                ]
            })
        })
        .collect()
}

/// The ranking's entries the reader sees, as rows.
pub fn ranking_rows(ranking: &Ranking) -> Vec<Vec<Value>> {
    ranking.entries().map(ranking_row).collect()
}

fn ranking_row(entry: &Entry) -> Vec<Value> {
    let one_decimal =
        |value: Option<f64>| value.map_or(Value::Empty, |value| Value::Decimal(value, 1));
    vec![
        Value::Integer(entry.rank as i64),
        number(entry.number),
        Value::from(entry.title.clone()),
        Value::from(entry.tier_label()),
        entry.score20.map_or(Value::Empty, |score| {
            Value::Decimal(f64::from(score) / 20.0, 2)
        }),
        Value::from(entry.class_label()),
        one_decimal(entry.benefit),
        one_decimal(entry.cost),
        entry
            .quadrant
            .map_or(Value::Empty, |quadrant| quadrant.label().into()),
    ]
}
