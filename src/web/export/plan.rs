//! What an export of a view holds: its title, how many rows, its main table's columns, the
//! reader's choice of columns and format (parsed from the address), and the tables themselves.

use std::sync::Arc;

use crate::db;
use crate::db::catalogue::{Filter, Scope};
use crate::domain::strategy::StrategyTree;
use crate::export::Sheet;
use crate::web::AppState;
use crate::web::errors::AppError;
use crate::web::forms::FormErrors;
use crate::web::measures::catalogue::CatalogueQuery;
use crate::web::prioritisation::ranking::{self, Ranking};
use crate::web::visitor::CurrentUser;

use super::View;
use super::files::Format;
use super::tables::{
    Feed, FieldNames, GOAL_COLUMNS, MEASURE_COLUMNS, RANKING_COLUMNS, Table, goal_rows,
    implementation_columns, ranking_rows,
};

/// A view's export before the reader's choice.
#[derive(Debug)]
pub struct Plan {
    pub view: View,
    /// What the file holds, for the page's heading and the workbook's title.
    pub title: String,
    /// The start of the file's name (the date and the extension follow).
    pub file_stem: &'static str,
    /// Rows of the main table.
    pub count: usize,
    /// The main table with every column.
    pub sheet: Sheet,
    filter: Filter,
    tree: Option<Arc<StrategyTree>>,
    /// The ranking, for the ranking views and the catalogue's workbook.
    ranking: Option<Ranking>,
}

impl Plan {
    pub async fn load(
        state: &AppState,
        current: &CurrentUser,
        view: View,
        query: &CatalogueQuery,
    ) -> Result<Self, AppError> {
        let filter = query.filter();
        let tree = state.strategy.current_tree(&state.db).await?;
        let ranking = match view {
            View::Round(id) => Some(ranking::load_round(state, current, id, query).await?),
            View::Ranking | View::Measures => ranking::load(state, current, query).await?,
            View::Implementation => None,
        };
        let round_name = ranking
            .as_ref()
            .map(|ranking| ranking.data.round.name.clone());
        let (title, file_stem, count, sheet) = match view {
            View::Measures => (
                "Maßnahmen".to_owned(),
                "massnahmen",
                db::catalogue::count(&state.db, &filter, Scope::Catalogue).await?,
                Sheet {
                    name: "Maßnahmen",
                    columns: MEASURE_COLUMNS.to_vec(),
                },
            ),
            View::Implementation => (
                "Umsetzung in den Bezirksämtern".to_owned(),
                "umsetzung",
                db::catalogue::count(&state.db, &filter, Scope::Implementation).await?,
                Sheet {
                    name: "Umsetzung",
                    columns: implementation_columns(),
                },
            ),
            View::Ranking | View::Round(_) => (
                round_name.map_or_else(
                    || "Rangfolge".to_owned(),
                    |name| format!("Rangfolge der Runde „{name}“"),
                ),
                "rangfolge",
                ranking
                    .as_ref()
                    .map_or(0, |ranking| ranking.entries().count() as i64),
                Sheet {
                    name: "Rangfolge",
                    columns: RANKING_COLUMNS.to_vec(),
                },
            ),
        };
        Ok(Self {
            view,
            title,
            file_stem,
            count: usize::try_from(count).unwrap_or_default(),
            sheet,
            filter,
            tree,
            ranking: if view == View::Implementation {
                None
            } else {
                ranking
            },
        })
    }

    /// The tables of the file: the main table with the chosen columns, and for a workbook of
    /// the catalogue the goals, the implementation and the ranking of the same view.
    pub async fn tables(
        &self,
        state: &AppState,
        chosen: Vec<usize>,
        workbook: bool,
    ) -> Result<Vec<Table>, AppError> {
        let all = |sheet: Sheet| (0..sheet.columns.len()).collect::<Vec<_>>();
        let ranking_table = |ranking: &Ranking, chosen| Table {
            sheet: Sheet {
                name: "Rangfolge",
                columns: RANKING_COLUMNS.to_vec(),
            },
            chosen,
            feed: Feed::Ready(ranking_rows(ranking).into_iter()),
        };
        let implementation = || Feed::Implementation {
            pool: state.db.clone(),
            filter: self.filter.clone(),
            chunks: None,
        };
        let main = Table {
            sheet: self.sheet.clone(),
            chosen,
            feed: match self.view {
                View::Measures => Feed::Measures {
                    pool: state.db.clone(),
                    filter: self.filter.clone(),
                    count: self.count,
                    fields: FieldNames::new(self.tree.as_deref()),
                    chunks: None,
                },
                View::Implementation => implementation(),
                View::Ranking | View::Round(_) => Feed::Ready(
                    self.ranking
                        .as_ref()
                        .map(ranking_rows)
                        .unwrap_or_default()
                        .into_iter(),
                ),
            },
        };
        let mut tables = vec![main];
        if workbook && self.view == View::Measures {
            let per_goal = db::export::numbers_per_goal(&state.db, &self.filter).await?;
            let goals = Sheet {
                name: "Ziele",
                columns: GOAL_COLUMNS.to_vec(),
            };
            tables.push(Table {
                chosen: all(goals.clone()),
                sheet: goals,
                feed: Feed::Ready(goal_rows(self.tree.as_deref(), &per_goal).into_iter()),
            });
            let sheet = Sheet {
                name: "Umsetzung",
                columns: implementation_columns(),
            };
            tables.push(Table {
                chosen: all(sheet.clone()),
                sheet,
                feed: implementation(),
            });
            if let Some(ranking) = &self.ranking {
                tables.push(ranking_table(ranking, (0..RANKING_COLUMNS.len()).collect()));
            }
        }
        Ok(tables)
    }
}

/// The reader's choice as the address carries it: `format=xlsx` and the columns as
/// `spalten=nr&spalten=titel` (from the form's check boxes) or `spalten=nr,titel`.
#[derive(Debug, Clone, Default)]
pub struct Choice {
    pub format: Option<String>,
    /// None: the address names no columns (all of them).
    pub columns: Option<Vec<String>>,
}

impl Choice {
    pub fn parse(raw: Option<&str>) -> Self {
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(raw.unwrap_or_default()).unwrap_or_default();
        let mut choice = Self::default();
        for (key, value) in pairs {
            match key.as_str() {
                "format" => choice.format = Some(value),
                "spalten" => choice.columns.get_or_insert_with(Vec::new).extend(
                    value
                        .split(',')
                        .map(str::trim)
                        .filter(|key| !key.is_empty())
                        .map(str::to_owned),
                ),
                _ => {}
            }
        }
        choice
    }

    /// Whether the column `key` is chosen (all are when the address names none).
    pub fn has_column(&self, key: &str) -> bool {
        self.columns
            .as_ref()
            .is_none_or(|columns| columns.iter().any(|chosen| chosen == key))
    }

    /// The format and the positions of the chosen columns in `sheet`, or what is wrong (in
    /// German, per field of the form).
    pub fn validate(&self, sheet: &Sheet) -> Result<(Format, Vec<usize>), FormErrors> {
        let mut errors = FormErrors::new();
        let chosen: Vec<usize> = (0..sheet.columns.len())
            .filter(|index| self.has_column(sheet.columns[*index].key))
            .collect();
        if chosen.is_empty() {
            errors.add("spalten", "Wählen Sie mindestens eine Spalte.");
        }
        let format = match self.format.as_deref() {
            Some(slug) => Format::from_slug(slug),
            None => None,
        };
        if format.is_none() {
            errors.add("format", "Wählen Sie ein Format.");
        }
        match format {
            Some(format) if errors.is_empty() => Ok((format, chosen)),
            _ => Err(errors),
        }
    }
}
