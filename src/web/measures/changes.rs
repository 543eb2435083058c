//! Turning a stored measure into form input, and an edit into the history's list of changes.

use crate::db::history::Change;
use crate::db::measure_details::MeasureDetail;
use crate::db::measures::Referenced;
use crate::domain::ids::GoalId;
use crate::domain::lifecycle::Status;
use crate::domain::measure::{MaturityModel, MeasureData, MeasureInput};
use crate::domain::office::Office;
use crate::domain::strategy::StrategyTree;
use crate::web::format::number;

/// The form's fields filled from a stored measure.
pub fn input_from(detail: &MeasureDetail) -> MeasureInput {
    let row = &detail.row;
    MeasureInput {
        title: row.title.clone(),
        summary: row.summary.clone(),
        description: row.description.clone(),
        expected_benefit: row.expected_benefit.clone(),
        goals: detail
            .goals
            .iter()
            .map(|goal| goal.id.to_string())
            .collect(),
        lead_office: row.lead_office.slug().to_owned(),
        participating_offices: detail
            .participating_offices
            .iter()
            .map(|office| office.slug().to_owned())
            .collect(),
        responsible_unit: row.responsible_unit.clone(),
        contact_person: row.contact_person.clone(),
        source: row.source.slug().to_owned(),
        effort_person_days: row
            .effort_person_days
            .map(|days| days.to_string())
            .unwrap_or_default(),
        cost_euros: row
            .cost_euros
            .map(|cost| cost.to_string())
            .unwrap_or_default(),
        planned_start: row
            .planned_start
            .map(|date| date.to_string())
            .unwrap_or_default(),
        planned_end: row
            .planned_end
            .map(|date| date.to_string())
            .unwrap_or_default(),
        quick_win: row.quick_win,
        depends_on: detail
            .depends_on
            .iter()
            .map(|measure| format!("M-{}", measure.number))
            .collect::<Vec<_>>()
            .join(", "),
        tags: detail.tags.join(", "),
        ozg_id: row.ozg_id.clone().unwrap_or_default(),
        leika_key: row.leika_key.clone().unwrap_or_default(),
        maturity_now: row
            .maturity_now
            .map(|level| level.to_string())
            .unwrap_or_default(),
        maturity_target: row
            .maturity_target
            .map(|level| level.to_string())
            .unwrap_or_default(),
        maturity_model: row
            .maturity_model
            .map(|model| model.slug().to_owned())
            .unwrap_or_default(),
    }
}

/// A maturity level as the history names it: with its model, since 3 means something else in
/// 1.1 than in 2.0.
fn level_text(model: Option<MaturityModel>, level: Option<i16>) -> String {
    match (model, level) {
        (Some(model), Some(level)) => model.describe(level),
        (None, Some(level)) => level.to_string(),
        (_, None) => String::new(),
    }
}

/// What an edit changes, field by field, as people read it. Everyone who sees the measure reads
/// its history, so dependencies on drafts (their author's alone) are left out of it.
pub fn changes(
    before: &MeasureDetail,
    after: &MeasureData,
    after_dependencies: &[Referenced],
    tree: Option<&StrategyTree>,
) -> Vec<Change> {
    let goal_text = |id: &GoalId| {
        tree.and_then(|tree| {
            tree.fields
                .iter()
                .flat_map(|field| &field.goals)
                .find(|goal| goal.id == *id)
        })
        .map(|goal| goal.statement.clone())
        .unwrap_or_else(|| id.to_string())
    };
    let mut before_goals: Vec<String> = before
        .goals
        .iter()
        .map(|goal| goal.statement.clone())
        .collect();
    let mut after_goals: Vec<String> = after.goals.iter().map(goal_text).collect();
    before_goals.sort();
    after_goals.sort();
    let offices = |offices: &[Office]| {
        offices
            .iter()
            .map(|office| office.label())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let optional = |value: Option<String>| value.unwrap_or_default();
    let row = &before.row;
    let after_model = after.ozg.as_ref().and_then(|ozg| ozg.maturity_model);
    let pairs: Vec<(&str, String, String)> = vec![
        ("Titel", row.title.clone(), after.title.clone()),
        (
            "Kurzbeschreibung",
            row.summary.clone(),
            after.summary.clone(),
        ),
        (
            "Beschreibung",
            row.description.clone(),
            after.description.clone(),
        ),
        (
            "Erwarteter Nutzen",
            row.expected_benefit.clone(),
            after.expected_benefit.clone(),
        ),
        ("Ziele", before_goals.join(" | "), after_goals.join(" | ")),
        (
            "Federführung",
            row.lead_office.label().to_owned(),
            after.lead_office.label().to_owned(),
        ),
        (
            "Beteiligte Bezirksämter",
            offices(&before.participating_offices),
            offices(&after.participating_offices),
        ),
        (
            "Verantwortliche Stelle",
            row.responsible_unit.clone(),
            after.responsible_unit.clone(),
        ),
        (
            "Ansprechperson",
            row.contact_person.clone(),
            after.contact_person.clone(),
        ),
        (
            "Herkunft",
            row.source.label().to_owned(),
            after.source.label().to_owned(),
        ),
        (
            "Aufwand (Personentage)",
            optional(row.effort_person_days.map(|v| number(v.into()))),
            optional(after.effort_person_days.map(|v| number(v.into()))),
        ),
        (
            "Kosten (Euro)",
            optional(row.cost_euros.map(number)),
            optional(after.cost_euros.map(number)),
        ),
        (
            "Geplanter Beginn",
            optional(row.planned_start.map(crate::domain::time::day)),
            optional(after.planned_start.map(crate::domain::time::day)),
        ),
        (
            "Geplantes Ende",
            optional(row.planned_end.map(crate::domain::time::day)),
            optional(after.planned_end.map(crate::domain::time::day)),
        ),
        (
            "Schneller Erfolg",
            yes_no(row.quick_win),
            yes_no(after.quick_win),
        ),
        (
            "Setzt voraus",
            numbers(
                before
                    .depends_on
                    .iter()
                    .filter(|measure| measure.status != Status::Draft)
                    .map(|measure| measure.number),
            ),
            numbers(
                after_dependencies
                    .iter()
                    .filter(|measure| measure.status != Status::Draft)
                    .map(|measure| measure.number),
            ),
        ),
        (
            "Schlagwörter",
            before.tags.join(", "),
            after.tags.join(", "),
        ),
        (
            "OZG-Kennung",
            optional(row.ozg_id.clone()),
            optional(after.ozg.as_ref().map(|ozg| ozg.ozg_id.clone())),
        ),
        (
            "LeiKa-Schlüssel",
            optional(row.leika_key.clone()),
            optional(after.ozg.as_ref().and_then(|ozg| ozg.leika_key.clone())),
        ),
        (
            "Reifegrad heute",
            level_text(row.maturity_model, row.maturity_now),
            level_text(
                after_model,
                after.ozg.as_ref().and_then(|ozg| ozg.maturity_now),
            ),
        ),
        (
            "Ziel-Reifegrad",
            level_text(row.maturity_model, row.maturity_target),
            level_text(
                after_model,
                after.ozg.as_ref().and_then(|ozg| ozg.maturity_target),
            ),
        ),
    ];
    pairs
        .into_iter()
        .filter(|(_, before, after)| before != after)
        .map(|(field, before, after)| Change {
            field: field.to_owned(),
            before,
            after,
        })
        .collect()
}

/// "M-3, M-12", in ascending order.
fn numbers(numbers: impl Iterator<Item = i64>) -> String {
    let mut numbers: Vec<i64> = numbers.collect();
    numbers.sort_unstable();
    numbers
        .iter()
        .map(|number| format!("M-{number}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn yes_no(value: bool) -> String {
    if value { "ja" } else { "nein" }.to_owned()
}
