//! The strategy report for the district heads (`/berichte/strategie`): the strategy's version
//! and date, vision and pillars, per design field and cross-cutting theme its goals and under
//! each goal its measures with status, implementation per office and rank, the ranking decided
//! last with its classes, and the dashboard's charts. An HTML page with print styles (the
//! print leaves out navigation and starts each part on a new page).

use std::collections::HashMap;
use std::sync::Arc;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;

use crate::db;
use crate::db::dashboard::Ranked;
use crate::db::reports::GoalMeasure;
use crate::domain::ids::GoalId;
use crate::domain::implementation::State as RowState;
use crate::domain::strategy::{FieldKind, StrategyTree};
use crate::web::AppState;
use crate::web::errors::AppError;
use crate::web::format::filters;
use crate::web::layout::{Section, Shell};
use crate::web::visitor::Visitor;

use crate::export::pdf::{Bar, Block, Document, TableColumn};

use super::dashboard::{self, DashboardData};
use super::pdf::{bars, date_parts, heading, paragraph, table, today};

#[derive(Debug, Template, WebTemplate)]
#[template(path = "reports/strategy.html")]
pub struct StrategyReport {
    pub shell: Shell,
    pub contents: Contents,
    /// The day of the report.
    pub today: String,
}

impl std::ops::Deref for StrategyReport {
    type Target = Contents;

    fn deref(&self) -> &Contents {
        &self.contents
    }
}

/// What the report shows, the same in HTML and PDF.
#[derive(Debug)]
pub struct Contents {
    pub tree: Option<Arc<StrategyTree>>,
    pub data: Arc<DashboardData>,
    pub by_goal: HashMap<GoalId, Vec<GoalMeasure>>,
    pub ranking: Vec<Ranked>,
}

/// The most measures the report's ranking lists (a round holds a few hundred at most; a
/// load test's ten thousand would make a book).
const RANKED: i64 = 500;

impl StrategyReport {
    /// The charts are part of the report's last chapter.
    pub fn chart_level(&self) -> u8 {
        3
    }
}

impl Contents {
    pub fn kinds(&self) -> [FieldKind; 2] {
        [FieldKind::CrossCuttingTheme, FieldKind::DesignField]
    }

    pub fn measures_of(&self, goal: &GoalId) -> &[GoalMeasure] {
        self.by_goal.get(goal).map_or(&[], Vec::as_slice)
    }

    /// Where a measure stands in the offices, most advanced first: "umgesetzt: Altona,
    /// Harburg; geplant: Wandsbek"; "–" when no office has a row.
    pub fn implementation(&self, measure: &GoalMeasure) -> String {
        let parts: Vec<String> = [RowState::Done, RowState::InProgress, RowState::Planned]
            .into_iter()
            .filter_map(|state| {
                let offices: Vec<&str> = measure
                    .offices
                    .iter()
                    .zip(&measure.states)
                    .filter(|(_, candidate)| **candidate == state)
                    .map(|(office, _)| office.short_label())
                    .collect();
                (!offices.is_empty()).then(|| format!("{}: {}", state.label(), offices.join(", ")))
            })
            .collect();
        if parts.is_empty() {
            "–".to_owned()
        } else {
            parts.join("; ")
        }
    }

    /// How many measures of the ranking are in `class`.
    pub fn class_count(&self, class: &str) -> usize {
        self.ranking
            .iter()
            .filter(|ranked| ranked.class.as_deref() == Some(class))
            .count()
    }

    pub fn score_text(&self, ranked: &Ranked) -> String {
        self.data.score_text(ranked)
    }
}

pub async fn show(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<StrategyReport, AppError> {
    let contents = Contents::load(&state, visitor.generation()).await?;
    let today = crate::domain::time::day(today());
    Ok(StrategyReport {
        shell: Shell::new(visitor, "Bericht zur Digitalstrategie")
            .in_section(Section::Reports)
            .crumb("Berichte", "/berichte")
            .here("Strategiebericht"),
        contents,
        today,
    })
}

impl Contents {
    /// Reads the report's contents (the dashboard's counts from its cache of `generation`).
    pub async fn load(state: &AppState, generation: Option<i64>) -> Result<Self, AppError> {
        let pool = &state.db;
        let (data, tree, measures, ranking) = tokio::try_join!(
            dashboard::load_cached(state, generation),
            async {
                state
                    .strategy
                    .current_tree(pool)
                    .await
                    .map_err(AppError::from)
            },
            async {
                db::reports::measures_by_goal(pool)
                    .await
                    .map_err(AppError::from)
            },
            async {
                db::dashboard::top_of_ranking(pool, RANKED)
                    .await
                    .map_err(AppError::from)
            },
        )?;
        let mut by_goal: HashMap<GoalId, Vec<GoalMeasure>> = HashMap::new();
        for measure in measures {
            by_goal.entry(measure.goal_id).or_default().push(measure);
        }
        Ok(Self {
            tree,
            data,
            by_goal,
            ranking,
        })
    }
}

impl Contents {
    /// The report as a PDF document of `day`.
    pub fn document(&self, day: chrono::NaiveDate) -> Document {
        let date = crate::domain::time::day(day);
        let Some(tree) = &self.tree else {
            return Document {
                title: "Bericht zur Digitalstrategie".to_owned(),
                preline: format!("Stand {date}"),
                lead: vec!["Es ist noch keine Strategie veröffentlicht.".to_owned()],
                date: date_parts(day),
                title_page: false,
                blocks: Vec::new(),
            };
        };
        let strategy = &tree.strategy;
        let mut version = format!("Version {}", strategy.version_label);
        if let Some(published) = strategy.published_label() {
            version = format!("{version}, {published}");
        }
        if !strategy.publisher.is_empty() {
            version = format!("{version} · {}", strategy.publisher);
        }
        let mut blocks = vec![
            heading(2, "Vision und Säulen"),
            paragraph(strategy.vision_statement.clone()),
            Block::Facts {
                items: tree
                    .pillars
                    .iter()
                    .map(|pillar| (pillar.name.clone(), pillar.explanation.clone()))
                    .collect(),
            },
        ];
        for kind in self.kinds() {
            blocks.push(Block::PageBreak);
            blocks.push(heading(
                2,
                format!("{}, Ziele und Maßnahmen", kind.plural_label()),
            ));
            for field in tree.fields_of(kind) {
                blocks.push(heading(3, field.name.clone()));
                for goal in &field.goals {
                    blocks.push(heading(
                        4,
                        format!("Ziel {}: {}", goal.position, goal.statement),
                    ));
                    let measures = self.measures_of(&goal.id);
                    if measures.is_empty() {
                        blocks.push(paragraph("Noch keine Maßnahme."));
                        continue;
                    }
                    blocks.push(table(
                        format!("Maßnahmen zu {}, Ziel {}", field.name, goal.position),
                        vec![
                            TableColumn::text("Maßnahme", 5),
                            TableColumn::text("Status", 2),
                            TableColumn::text("Umsetzung in den Bezirksämtern", 5),
                            TableColumn::number("Rang"),
                        ],
                        measures
                            .iter()
                            .map(|measure| {
                                vec![
                                    format!("M-{} {}", measure.number, measure.title),
                                    measure.status.label().to_owned(),
                                    self.implementation(measure),
                                    measure
                                        .decided_rank
                                        .map_or_else(|| "–".to_owned(), |rank| rank.to_string()),
                                ]
                            })
                            .collect(),
                    ));
                }
            }
        }
        blocks.push(Block::PageBreak);
        blocks.push(heading(2, "Rangfolge"));
        match self.data.round_name() {
            Some(name) => {
                blocks.push(paragraph(format!(
                    "Die zuletzt beschlossene Runde „{name}“: {} Maßnahmen in Klasse A, {} in \
                     Klasse B, {} in Klasse C.",
                    self.class_count("A"),
                    self.class_count("B"),
                    self.class_count("C")
                )));
                blocks.push(table(
                    format!("Rangfolge der Runde „{name}“"),
                    vec![
                        TableColumn::number("Rang"),
                        TableColumn::text("Maßnahme", 6),
                        TableColumn::text("Klasse", 0),
                        TableColumn::number("Punkte"),
                    ],
                    self.ranking
                        .iter()
                        .map(|ranked| {
                            vec![
                                ranked.rank.to_string(),
                                format!("M-{} {}", ranked.number, ranked.title),
                                ranked.class.clone().unwrap_or_else(|| "–".to_owned()),
                                self.score_text(ranked),
                            ]
                        })
                        .collect(),
                ));
            }
            None => blocks.push(paragraph("Noch ist keine Runde beschlossen.")),
        }
        blocks.push(Block::PageBreak);
        blocks.push(heading(2, "Kennzahlen"));
        blocks.extend(self.figures());
        Document {
            title: format!("Bericht zur Digitalstrategie „{}“", strategy.title),
            preline: format!("Bericht zur Digitalstrategie · Stand {date}"),
            lead: vec![
                version,
                "Für die Bezirksamtsleitungen: die Ziele der Strategie mit ihren Maßnahmen, wie \
                 weit die Bezirksämter sie umgesetzt haben, die zuletzt beschlossene Rangfolge \
                 und die Kennzahlen."
                    .to_owned(),
            ],
            date: date_parts(day),
            title_page: true,
            blocks,
        }
    }

    /// The dashboard's charts, each with its numbers as a table.
    fn figures(&self) -> Vec<Block> {
        let data = &self.data;
        let groups: Vec<String> = data
            .groups()
            .iter()
            .map(|group| group.label().to_owned())
            .collect();
        let busiest = data.fields.iter().max_by_key(|field| field.total);
        let status_alt = format!(
            "Gestapelte Balken, einer je Gestaltungsfeld und Querschnittsthema ({} Felder), Länge \
             nach Zahl der Maßnahmen, Teile nach Status: {}.{} Die Zahlen stehen in der Tabelle \
             danach.",
            data.fields.len(),
            groups.join(", "),
            busiest.map_or(String::new(), |field| format!(
                " Die meisten Maßnahmen hat „{}“ mit {}.",
                field.name, field.total
            ))
        );
        let mut status_columns = vec![TableColumn::text("Feld", 5)];
        status_columns.extend(
            groups
                .iter()
                .map(|group| TableColumn::number_shared(group, 2)),
        );
        status_columns.push(TableColumn::number_shared("zusammen", 2));
        let states = data.states();
        let months_alt = format!(
            "Gestapelte Balken, einer je Monat der letzten zwölf Monate, Teile nach Stand: {}. {}",
            states.map(|state| state.label()).join(", "),
            data.columns.last().map_or(String::new(), |month| format!(
                "Ende {}: {} geplant, {} in Umsetzung, {} umgesetzt.",
                month.long_label,
                month.figures.planned,
                month.figures.in_progress,
                month.figures.done
            ))
        );
        let mut month_columns = vec![TableColumn::text("Monat", 3)];
        month_columns.extend(
            states
                .iter()
                .map(|state| TableColumn::number(state.label())),
        );
        let gaps = data.gaps();
        let mut blocks = vec![
            heading(3, "Maßnahmen nach Status je Gestaltungsfeld"),
            paragraph("Eine Maßnahme mit Zielen in mehreren Feldern zählt in jedem davon."),
            bars(
                "Maßnahmen nach Status je Feld",
                status_alt,
                groups.clone(),
                data.fields
                    .iter()
                    .map(|field| Bar {
                        label: field.name.clone(),
                        values: field.counts.to_vec(),
                    })
                    .collect(),
            ),
            table(
                "Maßnahmen nach Status je Feld (Zahlen)",
                status_columns,
                data.fields
                    .iter()
                    .map(|field| {
                        let mut row = vec![format!("{} ({})", field.name, field.kind)];
                        row.extend(field.counts.iter().map(|count| number(*count)));
                        row.push(number(field.total));
                        row
                    })
                    .collect(),
            ),
            heading(3, "Umsetzung in den letzten zwölf Monaten"),
            paragraph(
                "Wie viele Einträge der Bezirksämter am Ende jedes Monats geplant, in Umsetzung \
                 oder umgesetzt waren.",
            ),
            bars(
                "Stand der Umsetzung am Ende jedes Monats",
                months_alt,
                states
                    .iter()
                    .map(|state| state.label().to_owned())
                    .collect(),
                data.columns
                    .iter()
                    .map(|month| Bar {
                        label: month.long_label.clone(),
                        values: states
                            .iter()
                            .map(|state| data.state_count(&month.figures, state))
                            .collect(),
                    })
                    .collect(),
            ),
            table(
                "Einträge am Monatsende",
                month_columns,
                data.columns
                    .iter()
                    .map(|month| {
                        let mut row = vec![month.long_label.clone()];
                        row.extend(
                            states
                                .iter()
                                .map(|state| number(data.state_count(&month.figures, state))),
                        );
                        row
                    })
                    .collect(),
            ),
            heading(3, "Ziele ohne Maßnahme"),
            paragraph(format!(
                "{} von {} Zielen haben mindestens eine Maßnahme.",
                data.covered(),
                data.goals.len()
            )),
        ];
        if !gaps.is_empty() {
            blocks.push(Block::List {
                items: gaps
                    .iter()
                    .map(|goal| format!("{}: {}", goal.label, goal.statement))
                    .collect(),
            });
        }
        blocks
    }
}

fn number(value: i64) -> String {
    crate::web::format::number(value)
}
