//! Example measures: the 60 hand-written ones of `content/demo-measures.json` for development
//! and demonstrations (all tagged "beispiel"), with a story of reviews, implementation, supports
//! and comments (`life`); and any number of generated ones, the same for the same seed, for
//! load tests (written in bulk, without a story). With the examples come two prioritisation
//! rounds (`rounds`): a frozen one of 2025 and an open one of 2027.

mod life;
mod rounds;

use anyhow::{Context, bail};
use serde::Deserialize;
use sqlx::PgPool;

use crate::db;
use crate::db::demo::BulkMeasure;
use crate::domain::ids::GoalId;
use crate::domain::lifecycle::Status;
use crate::domain::measure::{MaturityModel, MeasureData, OzgLink, Source};
use crate::domain::office::Office;
use crate::domain::strategy::StrategyTree;

const EXAMPLES: &str = include_str!("../../content/demo-measures.json");

#[derive(Deserialize)]
struct ExampleFile {
    measures: Vec<Example>,
}

#[derive(Deserialize)]
struct Example {
    title: String,
    summary: String,
    description: String,
    expected_benefit: String,
    goals: Vec<GoalRef>,
    lead_office: String,
    participating_offices: Vec<String>,
    status: String,
    quick_win: bool,
    tags: Vec<String>,
    effort_person_days: i32,
    cost_euros: i64,
    source: String,
    ozg_id: Option<String>,
    /// Maturity levels of the OZG service, with the model they follow.
    maturity: Option<ExampleMaturity>,
}

#[derive(Deserialize)]
struct ExampleMaturity {
    model: String,
    now: i16,
    target: i16,
}

#[derive(Deserialize)]
struct GoalRef {
    field: String,
    goal: usize,
}

fn status_from_code(code: &str) -> Option<Status> {
    Status::ALL.into_iter().find(|status| {
        format!("{status:?}")
            .chars()
            .flat_map(|c| {
                if c.is_uppercase() {
                    vec!['_', c.to_ascii_lowercase()]
                } else {
                    vec![c]
                }
            })
            .collect::<String>()
            .trim_start_matches('_')
            == code
    })
}

fn source_from_code(code: &str) -> Option<Source> {
    match code {
        "strategy_workshop" => Some(Source::StrategyWorkshop),
        "prima_list" => Some(Source::PrimaList),
        "specialist_authority" => Some(Source::SpecialistAuthority),
        "staff_proposal" => Some(Source::StaffProposal),
        _ => None,
    }
}

/// The 60 examples, their goals looked up in `tree` by field name and position.
pub fn examples(tree: &StrategyTree) -> anyhow::Result<Vec<BulkMeasure>> {
    let file: ExampleFile =
        serde_json::from_str(EXAMPLES).context("content/demo-measures.json is malformed")?;
    file.measures
        .into_iter()
        .map(|example| {
            let goals = example
                .goals
                .iter()
                .map(|reference| {
                    tree.fields
                        .iter()
                        .find(|field| field.name == reference.field)
                        .and_then(|field| field.goals.get(reference.goal.wrapping_sub(1)))
                        .map(|goal| goal.id)
                        .with_context(|| {
                            format!("no goal {} in {}", reference.goal, reference.field)
                        })
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            let office = |slug: &str| {
                Office::from_slug(slug).with_context(|| format!("unknown office {slug}"))
            };
            let maturity_model = match &example.maturity {
                Some(maturity) => Some(
                    MaturityModel::from_slug(&maturity.model)
                        .with_context(|| format!("unknown maturity model {}", maturity.model))?,
                ),
                None => None,
            };
            let ozg = example.ozg_id.map(|ozg_id| OzgLink {
                ozg_id,
                leika_key: None,
                maturity_now: example.maturity.as_ref().map(|maturity| maturity.now),
                maturity_target: example.maturity.as_ref().map(|maturity| maturity.target),
                maturity_model,
            });
            Ok(BulkMeasure {
                status: status_from_code(&example.status)
                    .with_context(|| format!("unknown status {}", example.status))?,
                data: MeasureData {
                    goals,
                    lead_office: office(&example.lead_office)?,
                    participating_offices: example
                        .participating_offices
                        .iter()
                        .map(|slug| office(slug))
                        .collect::<anyhow::Result<_>>()?,
                    source: source_from_code(&example.source)
                        .with_context(|| format!("unknown source {}", example.source))?,
                    title: example.title,
                    summary: example.summary,
                    description: example.description,
                    expected_benefit: example.expected_benefit,
                    responsible_unit: String::new(),
                    contact_person: String::new(),
                    effort_person_days: Some(example.effort_person_days),
                    cost_euros: Some(example.cost_euros),
                    planned_start: None,
                    planned_end: None,
                    quick_win: example.quick_win,
                    depends_on: Vec::new(),
                    tags: example.tags,
                    ozg,
                },
            })
        })
        .collect()
}

/// A small, fast, deterministic generator (xorshift64*): the same seed gives the same measures.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const ACTIONS: [&str; 8] = [
    "Digitalisierung",
    "Online-Antrag",
    "Automatisierte Bearbeitung",
    "Neugestaltung",
    "Vereinfachung",
    "Elektronische Akte",
    "Terminbuchung",
    "Bürgerportal",
];
const OBJECTS: [&str; 12] = [
    "der Gewerbeanmeldung",
    "des Wohngeldantrags",
    "der Sondernutzungserlaubnis",
    "der Baugenehmigung",
    "des Bewohnerparkausweises",
    "der Meldebescheinigung",
    "der Kita-Gutscheine",
    "der Grünflächenpflege",
    "der Spielplatzprüfung",
    "des Jugendamts",
    "der Straßenreinigung",
    "der Veranstaltungsgenehmigung",
];
const TAGS: [&str; 10] = [
    "ozg",
    "termine",
    "e-akte",
    "workflow",
    "daten",
    "beteiligung",
    "ausstattung",
    "fortbildung",
    "ki",
    "portal",
];

/// `count` generated measures; the same `seed` gives the same ones.
pub fn generated(tree: &StrategyTree, count: usize, seed: u64) -> Vec<BulkMeasure> {
    let goals: Vec<GoalId> = tree
        .fields
        .iter()
        .flat_map(|field| field.goals.iter().map(|goal| goal.id))
        .collect();
    let statuses = [
        Status::Submitted,
        Status::InReview,
        Status::Accepted,
        Status::InProgress,
        Status::Implemented,
        Status::Deferred,
        Status::Rejected,
        Status::Submitted,
        Status::Accepted,
        Status::InProgress,
    ];
    let mut random = Random(seed.max(1));
    (0..count)
        .map(|index| {
            let action = *random.pick(&ACTIONS);
            let object = *random.pick(&OBJECTS);
            let lead_office = *random.pick(&Office::ALL);
            let title = format!("{action} {object} ({}, Nr. {})", lead_office.label(), index + 1);
            let goal_count = 1 + random.below(3);
            let mut chosen: Vec<GoalId> = Vec::new();
            while chosen.len() < goal_count.min(goals.len()) {
                let goal = *random.pick(&goals);
                if !chosen.contains(&goal) {
                    chosen.push(goal);
                }
            }
            let tag = (*random.pick(&TAGS)).to_owned();
            let status = *random.pick(&statuses);
            let data = MeasureData {
                summary: format!("{action} {object}: weniger Papier, kürzere Wege und schnellere Antworten für Bürgerinnen und Bürger."),
                description: format!("Generierte Maßnahme für Lasttests (Startwert {seed}). {action} {object} im {}.", lead_office.label()),
                expected_benefit: "Schnellere Bearbeitung und weniger Rückfragen.".to_owned(),
                title,
                goals: chosen,
                lead_office,
                participating_offices: Vec::new(),
                responsible_unit: String::new(),
                contact_person: String::new(),
                quick_win: random.below(5) == 0,
                tags: vec!["generiert".to_owned(), tag],
                effort_person_days: Some(5 + random.below(200) as i32),
                cost_euros: Some(1_000 * random.below(500) as i64),
                planned_start: None,
                planned_end: None,
                depends_on: Vec::new(),
                source: *random.pick(&Source::ALL),
                ozg: (random.below(4) == 0).then(|| OzgLink {
                    ozg_id: format!("{}", 10_000 + random.below(600)),
                    leika_key: None,
                    maturity_now: None,
                    maturity_target: None,
                    maturity_model: None,
                }),
            };
            BulkMeasure { data, status }
        })
        .collect()
}

/// Loads the 60 examples with their story (`life`) unless they are there already; returns how
/// many it loaded.
pub async fn load_examples(pool: &PgPool) -> anyhow::Result<usize> {
    let Some(tree) = db::strategy::current_tree(pool).await? else {
        bail!("no strategy is loaded");
    };
    if db::demo::examples_present(pool).await? {
        return Ok(0);
    }
    let measures = examples(&tree)?;
    life::load(pool, &measures).await?;
    rounds::load(pool).await?;
    db::demo::release_examples(pool, 15).await?;
    Ok(measures.len())
}

/// Loads `count` generated measures.
pub async fn load_generated(pool: &PgPool, count: usize, seed: u64) -> anyhow::Result<usize> {
    let Some(tree) = db::strategy::current_tree(pool).await? else {
        bail!("no strategy is loaded");
    };
    let measures = generated(&tree, count, seed);
    for chunk in measures.chunks(2_000) {
        db::demo::insert(pool, chunk).await?;
    }
    db::demo::tidy_up(pool).await?;
    Ok(measures.len())
}

/// For load tests: an open round of every generated measure with assessments from `seed`
/// (see `rounds::load_test_round`); how many measures it holds, none if it existed.
pub async fn load_test_round(pool: &PgPool, seed: u64) -> anyhow::Result<Option<usize>> {
    Ok(rounds::load_test_round(pool, seed)
        .await?
        .map(|(_, measures)| measures))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_codes_map_to_statuses() {
        assert_eq!(status_from_code("in_review"), Some(Status::InReview));
        assert_eq!(status_from_code("implemented"), Some(Status::Implemented));
        assert_eq!(status_from_code("nope"), None);
    }

    #[test]
    fn the_same_seed_gives_the_same_measures() {
        let mut a = Random(42);
        let mut b = Random(42);
        assert!((0..100).all(|_| a.next() == b.next()));
        let mut c = Random(43);
        assert_ne!(Random(42).next(), c.next());
    }
}
